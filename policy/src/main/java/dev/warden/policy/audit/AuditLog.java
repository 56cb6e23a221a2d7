package dev.warden.policy.audit;

import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front of the audit log. {@link #append} never blocks: it queues the record and returns a future that
 * completes once the record is durable, in the store or, while the store is down, in the spill file.
 * <p>
 * One writer thread does all the rest, which is what keeps its chains linear without locks: it drains
 * the queue, assigns each entry its sequence number and hash (the only place that happens), commits the whole
 * batch in one transaction (group commit), then completes the batch's futures. When the store fails it forces
 * the batch to the spill file instead, and replays the spill file, in order and with the hashes already assigned,
 * once the store answers again. New entries go behind the spilled ones until the spill file is empty.
 * <p>
 * Nothing is lost silently: an entry that can be neither stored nor spilled fails its future, is logged with its
 * full body and counted in {@link Stats#lost()}; with {@link AuditLogConfig.SpillFailure#REFUSE} (the default)
 * {@link #accepting()} then reports false until a write succeeds again.
 * <p>
 * Each log writes its own chain per tenant, named by {@link AuditLogConfig#instanceId()} ({@link ChainId}), so
 * several processes (gateway replicas sharing one PostgreSQL store) can append for the same tenants without
 * competing for sequence numbers. Two processes with the same instance id would fork a chain: the store refuses
 * the second entry with the same sequence, which surfaces as a spill that never replays, loudly.
 * <p>
 * With {@link Checkpoints}, the writer also signs its chain heads ({@link HeadCheckpoint}) at an interval and at
 * {@link #close()}, so that cutting the newest entries or rewriting a chain shows; and at start it ends the streams
 * its instance opened and never ended ({@link Outcome#INTERRUPTED}).
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private record Pending(AuditEntry entry, CompletableFuture<ChainedEntry> done) {}

    /**
     * Put on the queue by {@link #close()}: a writer waiting on an empty queue would otherwise notice the close
     * only when its poll times out (the retry interval), and every shutdown would wait that long. Never written.
     */
    private static final Pending WAKE = new Pending(null, null);

    /**
     * Signed chain-head checkpoints ({@link HeadCheckpoint}): taken by the writer every {@code interval} when a head
     * moved, and at {@link #close()}, with the operator's key.
     */
    public record Checkpoints(OperatorKey key, Duration interval) {
        public Checkpoints {
            Objects.requireNonNull(key, "key");
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the checkpoint interval must be positive");
            }
        }
    }

    /**
     * Counters since start. {@code lost} entries failed their future: they are neither in the store nor spilled.
     * {@code rejected} ones were refused at {@link #append} (queue full or closed). {@code batches} counts writer
     * transactions, so {@code committed / batches} is the mean group-commit size.
     */
    public record Stats(
            long appended,
            long committed,
            long batches,
            long spilled,
            long replayed,
            long rejected,
            long lost,
            int queued,
            boolean spillPending,
            boolean accepting) {}

    private final AuditStore store;
    private final AuditLogConfig config;
    private final BlockingQueue<Pending> queue;
    private final SpillFile spill;
    private final String instance;
    /** This log's chain heads, by tenant. */
    private final Map<String, ChainHead> heads;

    private final Thread writer;
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong lastQueueFullWarning = new AtomicLong(System.nanoTime() - 2_000_000_000L);
    private volatile boolean accepting = true;
    private volatile boolean closing;
    private volatile boolean spillPending;
    private long nextReplayNanos;
    private final Checkpoints checkpoints;
    private final List<java.util.function.Consumer<List<ChainedEntry>>> observers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicReference<CompletableFuture<Optional<HeadCheckpoint>>> checkpointRequest =
            new AtomicReference<>();
    /** Heads in the last checkpoint written; writer thread only. */
    private Map<String, ChainHead> checkpointed = Map.of();

    private long nextCheckpointNanos;
    /**
     * Why this run signs no checkpoints: the store disagreed with the last signed checkpoint at start, and signing
     * its present state would launder the tampering. Null when checkpoints are signed.
     */
    private volatile String checkpointsWithheld;

    /**
     * Loads the heads of this instance's chains from the store (and from a spill file left by a previous run), so
     * the store must be reachable here; then starts the writer thread. The store stays the caller's to close.
     */
    public AuditLog(AuditStore store, AuditLogConfig config) {
        this(store, config, null);
    }

    /** As {@link #AuditLog(AuditStore, AuditLogConfig)}, signing chain-head checkpoints when {@code checkpoints} is set. */
    public AuditLog(AuditStore store, AuditLogConfig config, Checkpoints checkpoints) {
        this.store = store;
        this.checkpoints = checkpoints;
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.spill = new SpillFile(config.spillFile());
        this.instance = config.instanceId();
        this.heads = new HashMap<>(store.heads(instance));
        try {
            ownSpilledHeads(spill.readAll(), heads);
        } catch (IOException e) {
            throw new AuditStoreException("cannot read the audit spill file " + config.spillFile(), e);
        }
        this.spillPending = spill.pending();
        this.nextReplayNanos = System.nanoTime();
        if (checkpoints != null) {
            this.checkpointsWithheld = disagreementWithLastCheckpoint(store.heads(instance));
            if (checkpointsWithheld != null) {
                log.error(
                        "AUDIT TAMPERING SUSPECTED: {}; this process signs no checkpoints until it is resolved, so "
                                + "the last signed checkpoint stays the evidence",
                        checkpointsWithheld);
            }
            this.nextCheckpointNanos =
                    System.nanoTime() + checkpoints.interval().toNanos();
        }
        this.writer = new Thread(this::run, "audit-writer");
        writer.setDaemon(true);
        writer.start();
        endInterruptedStreams();
    }

    /**
     * Streams this instance opened ({@link Outcome#STREAM_STARTED}) and never ended were cut by the previous
     * process stopping: each gets its ending now, {@link Outcome#INTERRUPTED}, a new record with the same request
     * id that names the opening record (the chain is append-only, so the opening one stays as it is). Tokens may
     * have reached the client, so the record keeps the opening's status (200) and fingerprint of the prompt.
     */
    private void endInterruptedStreams() {
        List<ChainedEntry> unfinished;
        try {
            unfinished = store.unfinishedStreams(instance);
        } catch (RuntimeException e) {
            log.warn("could not look for streams interrupted by the last stop: {}", e.toString());
            return;
        }
        for (ChainedEntry opened : unfinished) {
            AuditRecord started = (AuditRecord) opened.entry();
            AuditRecord ended = started.toBuilder()
                    .outcome(Outcome.INTERRUPTED)
                    .decision(
                            started.decision(),
                            "interrupted: the gateway stopped during this stream (its opening " + "record is seq "
                                    + opened.seq() + " of chain " + opened.chain() + "); found at restart")
                    .build();
            append(ended).whenComplete((ok, e) -> {
                if (e != null) {
                    log.error("could not record the interrupted stream {}: {}", started.requestId(), e.toString());
                }
            });
        }
        if (!unfinished.isEmpty()) {
            log.warn(
                    "{} stream(s) were interrupted by the last stop of instance {}; recorded as INTERRUPTED: {}",
                    unfinished.size(),
                    instance,
                    unfinished.stream().map(c -> c.entry().requestId()).toList());
        }
    }

    /** Completes when the record is durable; fails with {@link AuditUnavailableException} if it cannot be. */
    public CompletableFuture<Void> append(AuditRecord record) {
        return enqueue(record).thenApply(e -> null);
    }

    /** Like {@link #append} but yields the record's place in its chain. */
    public CompletableFuture<ChainedEntry> appendChained(AuditRecord record) {
        return enqueue(record);
    }

    /** Appends an admin action to its reserved chain ({@link AdminAction#CHAIN}); completes when it is durable. */
    public CompletableFuture<ChainedEntry> appendAction(AdminAction action) {
        return enqueue(action);
    }

    CompletableFuture<ChainedEntry> appendCheckpoint(RetentionCheckpoint checkpoint) {
        return enqueue(checkpoint);
    }

    /**
     * Asks the writer to sign and store a checkpoint of this log's chain heads now, even if none moved; completes
     * with it, or empty when checkpoints are off, withheld, or entries wait in the spill file (the store would not
     * hold what the checkpoint vouches for).
     */
    public CompletableFuture<Optional<HeadCheckpoint>> checkpoint() {
        CompletableFuture<Optional<HeadCheckpoint>> request = new CompletableFuture<>();
        CompletableFuture<Optional<HeadCheckpoint>> earlier = checkpointRequest.getAndSet(request);
        if (earlier != null) {
            request.whenComplete((c, e) -> {
                if (e != null) {
                    earlier.completeExceptionally(e);
                } else {
                    earlier.complete(c);
                }
            });
        }
        if (closing) {
            checkpointRequest.compareAndSet(request, null);
            request.complete(Optional.empty());
        }
        return request;
    }

    /** The public half of the key that signs this log's checkpoints; empty when checkpoints are off. */
    public Optional<PublicKey> checkpointKey() {
        return Optional.ofNullable(checkpoints).map(c -> c.key().publicKey());
    }

    /** Why checkpoints are withheld in this run (see the start-up check), or empty when they are signed. */
    public Optional<String> checkpointsWithheld() {
        return Optional.ofNullable(checkpointsWithheld);
    }

    /**
     * Tells {@code observer} about every batch of entries once it is durable (in the store or the spill file), in
     * chain order, on the writer thread: it must be quick and must not block (count, hand off to a queue), or every
     * request waiting for its record waits for it too. An observer that throws is logged and kept.
     */
    public void observe(java.util.function.Consumer<List<ChainedEntry>> observer) {
        observers.add(Objects.requireNonNull(observer));
    }

    /** False while audit writes are failing under {@link AuditLogConfig.SpillFailure#REFUSE}: answer 503. */
    public boolean accepting() {
        return accepting && !closing;
    }

    public Stats stats() {
        return new Stats(
                appended.get(),
                committed.get(),
                batches.get(),
                spilled.get(),
                replayed.get(),
                rejected.get(),
                lost.get(),
                queue.size(),
                spillPending,
                accepting());
    }

    public AuditStore store() {
        return store;
    }

    /** The instance whose chains this log writes. */
    public String instanceId() {
        return instance;
    }

    /**
     * Spilled entries of this instance move its heads on. A spill file may also hold another instance's entries
     * (one written before the instance id changed, e.g. a legacy spill): those are replayed as they are but are
     * not this log's chains to extend.
     */
    private void ownSpilledHeads(List<ChainedEntry> spilled, Map<String, ChainHead> into) {
        for (ChainedEntry e : spilled) {
            if (e.instance().equals(instance)) {
                into.put(e.tenant(), e.head());
            }
        }
    }

    /** Stops taking appends, writes what is queued (to the store or the spill file) and stops the writer. */
    @Override
    public void close() {
        closing = true;
        // If the queue is full the writer is busy and sees closing on its next poll anyway.
        queue.offer(WAKE);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answer(checkpointRequest.getAndSet(null), Optional.empty());
        // An append that raced with close() may have slipped in after the writer's last look: fail it, loudly.
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        late.removeIf(p -> p == WAKE);
        if (!late.isEmpty()) {
            lost.addAndGet(late.size());
            log.error(
                    "audit log closed with {} entries unwritten: {}",
                    late.size(),
                    late.stream().map(p -> p.entry().requestId()).toList());
            AuditUnavailableException closed = new AuditUnavailableException("audit log is closed", null);
            late.forEach(p -> p.done().completeExceptionally(closed));
        }
        try {
            spill.close();
        } catch (IOException e) {
            log.warn("closing the audit spill file", e);
        }
    }

    private CompletableFuture<ChainedEntry> enqueue(AuditEntry entry) {
        CompletableFuture<ChainedEntry> done = new CompletableFuture<>();
        if (closing) {
            rejected.incrementAndGet();
            done.completeExceptionally(new AuditUnavailableException("audit log is closed", null));
        } else if (!queue.offer(new Pending(entry, done))) {
            long total = rejected.incrementAndGet();
            warnQueueFull(total, entry);
            done.completeExceptionally(new AuditUnavailableException("audit queue full", null));
        } else {
            appended.incrementAndGet();
        }
        return done;
    }

    /** At most one line a second: under overload every append is rejected, and the log must stay readable. */
    private void warnQueueFull(long total, AuditEntry entry) {
        long now = System.nanoTime();
        long last = lastQueueFullWarning.get();
        if (now - last >= 1_000_000_000L && lastQueueFullWarning.compareAndSet(last, now)) {
            log.warn(
                    "audit queue full ({} entries): rejected {} ({} rejected since start)",
                    config.queueCapacity(),
                    entry.requestId(),
                    total);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.maxBatch());
        long pollMillis = Math.max(1, config.retryInterval().toMillis());
        while (true) {
            Pending first;
            try {
                // Once closing, only what is already queued is left to write: no reason to wait for more.
                first = closing ? queue.poll() : queue.poll(pollMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            while (first == WAKE) {
                first = queue.poll();
            }
            replayIfDue();
            checkpointIfDue();
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    // The shutdown checkpoint: covers everything this run wrote.
                    if (checkpoints != null) {
                        answer(checkpointRequest.getAndSet(null), writeCheckpoint(false));
                    }
                    break;
                }
                probeIfRefusing();
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, config.maxBatch() - 1);
            batch.removeIf(p -> p == WAKE);
            try {
                write(batch);
            } catch (RuntimeException | Error e) {
                // A bug must not leave callers waiting forever.
                log.error("audit writer failed on a batch of {}", batch.size(), e);
                batch.forEach(p -> p.done().completeExceptionally(e));
                lost.addAndGet(batch.size());
            }
            batch.clear();
        }
    }

    private void checkpointIfDue() {
        if (checkpoints == null) {
            CompletableFuture<Optional<HeadCheckpoint>> request = checkpointRequest.getAndSet(null);
            if (request != null) {
                request.complete(Optional.empty());
            }
            return;
        }
        boolean due = System.nanoTime() - nextCheckpointNanos >= 0;
        CompletableFuture<Optional<HeadCheckpoint>> request = checkpointRequest.getAndSet(null);
        if (!due && request == null) {
            return;
        }
        if (due) {
            nextCheckpointNanos = System.nanoTime() + checkpoints.interval().toNanos();
        }
        answer(request, writeCheckpoint(request != null));
    }

    private static void answer(CompletableFuture<Optional<HeadCheckpoint>> request, Optional<HeadCheckpoint> written) {
        if (request != null) {
            request.complete(written);
        }
    }

    /** Writer thread only: signs the heads it committed and stores the checkpoint; failures are logged. */
    private Optional<HeadCheckpoint> writeCheckpoint(boolean evenIfUnchanged) {
        if (checkpointsWithheld != null || spillPending) {
            return Optional.empty();
        }
        Map<String, ChainHead> current = new TreeMap<>();
        heads.forEach((tenant, head) -> {
            if (head.seq() > 0) {
                current.put(tenant, head);
            }
        });
        if (!evenIfUnchanged && current.equals(checkpointed)) {
            return Optional.empty();
        }
        try {
            HeadCheckpoint checkpoint =
                    HeadCheckpoint.sign(checkpoints.key(), instance, Instant.now(), current.values());
            store.appendCheckpoint(checkpoint);
            checkpointed = current;
            log.info(
                    "audit chain heads checkpoint signed: instance={} chains={} time={} key={}",
                    instance,
                    current.size(),
                    checkpoint.time(),
                    checkpoint.keyId());
            return Optional.of(checkpoint);
        } catch (RuntimeException e) {
            log.warn(
                    "audit chain heads checkpoint not stored (next try in {}): {}",
                    checkpoints.interval(),
                    e.toString());
            return Optional.empty();
        }
    }

    /**
     * Compares the store with this instance's latest checkpoint signed by this key: a chain it vouches for must
     * still reach the vouched-for entry with the same hash. Returns what disagrees, or null.
     */
    private String disagreementWithLastCheckpoint(Map<String, ChainHead> stored) {
        HeadCheckpoint last = store.latestCheckpoints().get(instance);
        if (last == null) {
            return null;
        }
        if (!last.signedBy(checkpoints.key().publicKey())) {
            return "the latest checkpoint of instance " + instance + " in the store (" + last.time()
                    + ") does not carry this operator key's signature";
        }
        for (ChainHead vouched : last.heads()) {
            ChainId chain = vouched.chain();
            ChainHead now = stored.get(vouched.tenant());
            if (now == null || now.seq() < vouched.seq()) {
                return "chain " + chain + " ends at seq " + (now == null ? 0 : now.seq()) + " but the checkpoint of "
                        + last.time() + " vouches for seq " + vouched.seq();
            }
            Optional<ChainHead> anchor = store.anchor(chain);
            if (anchor.isPresent() && anchor.get().seq() > vouched.seq()) {
                continue;
            }
            String[] hash = new String[1];
            if (anchor.isPresent() && anchor.get().seq() == vouched.seq()) {
                hash[0] = anchor.get().hash();
            } else {
                store.scanChain(chain, vouched.seq() - 1, row -> {
                    if (row.seq() == vouched.seq()) {
                        hash[0] = row.hash();
                    }
                });
            }
            if (!vouched.hash().equals(hash[0])) {
                return "entry " + vouched.seq() + " of chain " + chain + " is not the one the checkpoint of "
                        + last.time() + " vouches for";
            }
        }
        return null;
    }

    private void write(List<Pending> batch) {
        Map<String, ChainHead> before = new HashMap<>();
        List<ChainedEntry> sealed = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            String tenant = p.entry().tenant();
            ChainHead head = heads.computeIfAbsent(tenant, t -> ChainHead.empty(new ChainId(t, instance)));
            before.putIfAbsent(tenant, head);
            ChainedEntry chained = ChainedEntry.seal(head, p.entry());
            heads.put(tenant, chained.head());
            sealed.add(chained);
        }
        if (!spillPending) {
            try {
                store.append(sealed);
                committed.addAndGet(sealed.size());
                batches.incrementAndGet();
                complete(batch, sealed);
                return;
            } catch (RuntimeException e) {
                log.warn(
                        "audit store unavailable, spilling {} entries to {}: {}",
                        sealed.size(),
                        spill.path(),
                        e.getMessage());
                nextReplayNanos = System.nanoTime() + config.retryInterval().toNanos();
            }
        }
        try {
            spill.append(sealed);
            spillPending = true;
            spilled.addAndGet(sealed.size());
            complete(batch, sealed);
        } catch (IOException e) {
            // Give the sequence numbers back: these entries exist nowhere, so the chain must not skip them.
            heads.putAll(before);
            lost.addAndGet(sealed.size());
            for (ChainedEntry c : sealed) {
                log.error("AUDIT ENTRY LOST (store and spill file {} unavailable): {}", spill.path(), c.body());
            }
            if (config.onSpillFailure() == AuditLogConfig.SpillFailure.REFUSE) {
                accepting = false;
            }
            AuditUnavailableException failure =
                    new AuditUnavailableException("audit store and spill file both unavailable", e);
            batch.forEach(p -> p.done().completeExceptionally(failure));
        }
    }

    private void complete(List<Pending> batch, List<ChainedEntry> sealed) {
        accepting = true;
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(sealed.get(i));
        }
        List<ChainedEntry> durable = List.copyOf(sealed);
        for (java.util.function.Consumer<List<ChainedEntry>> o : observers) {
            try {
                o.accept(durable);
            } catch (RuntimeException e) {
                log.warn("an audit observer failed on a batch of {}: {}", durable.size(), e.toString());
            }
        }
    }

    /**
     * While refusing, the gateway sends no appends that could prove the store healthy again, so the writer asks
     * the store itself; the heads it reads also replace any given back after a failed batch.
     */
    private void probeIfRefusing() {
        if (accepting) {
            return;
        }
        try {
            Map<String, ChainHead> stored = new HashMap<>(store.heads(instance));
            ownSpilledHeads(spill.readAll(), stored);
            heads.putAll(stored);
            accepting = true;
            log.info("audit store reachable again; accepting requests");
        } catch (IOException | RuntimeException e) {
            log.debug("audit store still unavailable: {}", e.getMessage());
        }
    }

    private void replayIfDue() {
        if (!spillPending || System.nanoTime() - nextReplayNanos < 0) {
            return;
        }
        try {
            List<ChainedEntry> entries = spill.readAll();
            for (int from = 0; from < entries.size(); from += config.maxBatch()) {
                store.append(entries.subList(from, Math.min(entries.size(), from + config.maxBatch())));
            }
            spill.clear();
            spillPending = false;
            replayed.addAndGet(entries.size());
            log.info("audit store back: replayed {} spilled entries", entries.size());
        } catch (IOException | RuntimeException e) {
            log.debug("audit store still unavailable: {}", e.getMessage());
            nextReplayNanos = System.nanoTime() + config.retryInterval().toNanos();
        }
    }
}
