package dev.warden.policy.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private record Pending(AuditEntry entry, CompletableFuture<ChainedEntry> done) {
    }

    /**
     * Counters since start. {@code lost} entries failed their future: they are neither in the store nor spilled.
     * {@code rejected} ones were refused at {@link #append} (queue full or closed). {@code batches} counts writer
     * transactions, so {@code committed / batches} is the mean group-commit size.
     */
    public record Stats(long appended, long committed, long batches, long spilled, long replayed, long rejected,
                        long lost, int queued, boolean spillPending, boolean accepting) {
    }

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

    /**
     * Loads the heads of this instance's chains from the store (and from a spill file left by a previous run), so
     * the store must be reachable here; then starts the writer thread. The store stays the caller's to close.
     */
    public AuditLog(AuditStore store, AuditLogConfig config) {
        this.store = store;
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
        this.writer = new Thread(this::run, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Completes when the record is durable; fails with {@link AuditUnavailableException} if it cannot be. */
    public CompletableFuture<Void> append(AuditRecord record) {
        return enqueue(record).thenApply(e -> null);
    }

    /** Like {@link #append} but yields the record's place in its chain. */
    public CompletableFuture<ChainedEntry> appendChained(AuditRecord record) {
        return enqueue(record);
    }

    CompletableFuture<ChainedEntry> appendCheckpoint(RetentionCheckpoint checkpoint) {
        return enqueue(checkpoint);
    }

    /** False while audit writes are failing under {@link AuditLogConfig.SpillFailure#REFUSE}: answer 503. */
    public boolean accepting() {
        return accepting && !closing;
    }

    public Stats stats() {
        return new Stats(appended.get(), committed.get(), batches.get(), spilled.get(), replayed.get(),
                rejected.get(), lost.get(), queue.size(), spillPending, accepting());
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
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // An append that raced with close() may have slipped in after the writer's last look: fail it, loudly.
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        if (!late.isEmpty()) {
            lost.addAndGet(late.size());
            log.error("audit log closed with {} entries unwritten: {}", late.size(),
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
            log.warn("audit queue full ({} entries): rejected {} ({} rejected since start)", config.queueCapacity(),
                    entry.requestId(), total);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.maxBatch());
        long pollMillis = Math.max(1, config.retryInterval().toMillis());
        while (true) {
            Pending first;
            try {
                first = queue.poll(pollMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            replayIfDue();
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    break;
                }
                probeIfRefusing();
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, config.maxBatch() - 1);
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
                log.warn("audit store unavailable, spilling {} entries to {}: {}", sealed.size(), spill.path(),
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
