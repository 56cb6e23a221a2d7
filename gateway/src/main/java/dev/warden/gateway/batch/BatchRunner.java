package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs batches in the background, at most {@link BatchProperties#maxRunningBatches()} at once, each on a driver
 * thread of its own that walks the input file and hands each line
 * not yet done to a line worker. A line takes one of its model's batch permits (a share of the engine's capacity,
 * see {@link BatchProperties#engineShare()}) for as long as it runs, so live requests keep the rest. Blocking waits
 * happen on these threads only, never on an event loop.
 * <p>
 * Durability: a batch's state is saved at each transition; a line is done when its result line is forced to disk
 * ({@link ResultLog}). At start every batch that had not ended is taken up where it stood: a validating batch is
 * validated again, a running one resumes with the lines that have no result, a finalizing one is finalized. A line
 * in flight at a kill has no result, so it runs again after the restart; its first attempt may have left an audit
 * record of its own (same batch id and {@code custom_id}) although no result line was kept from it.
 */
public final class BatchRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

    private final BatchStore store;
    private final FileStore files;
    private final BatchLineCall lines;
    private final TenantDirectory tenants;
    private final BatchAudit audit;
    private final BatchProperties properties;
    private final Function<String, Integer> permitsOfModel;
    private final Clock clock;
    private final Map<String, BatchJob> jobs = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    /** Made at each {@link #start()}: a stopped context (a test context paused by Spring) may be started again. */
    private volatile ExecutorService drivers;

    private volatile ExecutorService workers;
    private volatile boolean running;

    BatchRunner(
            BatchStore store,
            FileStore files,
            BatchLineCall lines,
            TenantDirectory tenants,
            BatchAudit audit,
            BatchProperties properties,
            Function<String, Integer> permitsOfModel,
            Clock clock) {
        this.clock = clock;
        this.store = store;
        this.files = files;
        this.lines = lines;
        this.tenants = tenants;
        this.audit = audit;
        this.properties = properties;
        this.permitsOfModel = permitsOfModel;
    }

    private Thread thread(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    Optional<BatchJob> get(String tenant, String id) {
        BatchJob job = jobs.get(id);
        return job != null && job.tenant.equals(tenant) ? Optional.of(job) : Optional.empty();
    }

    /** The tenant's batches, newest first. */
    List<BatchJob> list(String tenant) {
        return jobs.values().stream()
                .filter(j -> j.tenant.equals(tenant))
                .sorted((a, b) ->
                        a.createdAt != b.createdAt ? Long.compare(b.createdAt, a.createdAt) : b.id.compareTo(a.id))
                .toList();
    }

    /** Drops a finished batch: its record leaves the disk and the API; its files have expiries of their own. */
    void forget(BatchJob job) {
        if (!job.status().terminal()) {
            throw new IllegalStateException("batch " + job.id + " has not ended");
        }
        store.remove(job.id);
        jobs.remove(job.id, job);
    }

    boolean inputInUse(String tenant, String fileId) {
        return jobs.values().stream()
                .anyMatch(j -> j.tenant.equals(tenant)
                        && j.inputFileId.equals(fileId)
                        && !j.status().terminal());
    }

    void submit(BatchJob job) {
        if (!running) {
            throw ApiErrors.batchesUnavailable("the gateway is stopping and takes no new batches; try again soon");
        }
        store.save(job);
        jobs.put(job.id, job);
        drivers.execute(() -> drive(job));
    }

    /** Stops taking new lines; lines in flight finish and the results so far become the output. */
    ObjectNode cancel(BatchJob job) {
        synchronized (job) {
            if (job.status == BatchStatus.VALIDATING || job.status == BatchStatus.IN_PROGRESS) {
                job.status = BatchStatus.CANCELLING;
                job.cancellingAt = now();
                store.save(job);
            } else if (job.status != BatchStatus.CANCELLING && job.status != BatchStatus.CANCELLED) {
                throw ApiErrors.batchConflict(
                        "batch_not_cancellable",
                        "batch " + job.id + " is " + job.status.wire() + " and can no longer be cancelled");
            }
        }
        return job.openAi();
    }

    @Override
    public void start() {
        // A driver per running batch; batches beyond the limit queue, oldest first, still validating.
        drivers = Executors.newFixedThreadPool(properties.maxRunningBatches(), r -> thread(r, "warden-batch-driver-"));
        workers = Executors.newCachedThreadPool(r -> thread(r, "warden-batch-line-"));
        permits.clear();
        jobs.clear();
        running = true;
        for (BatchJob job : store.all()) {
            jobs.put(job.id, job);
            if (!job.status.terminal()) {
                log.info("batch {} was {} when the gateway stopped; taking it up again", job.id, job.status.wire());
                drivers.execute(() -> drive(job));
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        drivers.shutdownNow();
        workers.shutdownNow();
        try {
            // A line interrupted here keeps no result and runs again at the next start; wait so that none is still
            // appending when a context stopped this way is started again.
            if (!drivers.awaitTermination(10, TimeUnit.SECONDS) || !workers.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("batch threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the web server stops taking requests, before the audit log closes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }

    private void drive(BatchJob job) {
        try {
            if (job.status() == BatchStatus.VALIDATING) {
                validate(job);
            }
            BatchStatus status = job.status();
            if (status == BatchStatus.IN_PROGRESS || status == BatchStatus.CANCELLING) {
                runLines(job);
            }
            if (job.status() == BatchStatus.FINALIZING) {
                finish(job, BatchStatus.COMPLETED);
            }
        } catch (Stopped stopped) {
            log.info("batch {} paused at shutdown; it resumes at the next start", job.id);
        } catch (RuntimeException e) {
            if (!running) {
                return;
            }
            log.error("batch {} failed: {}", job.id, e.toString());
            synchronized (job) {
                job.errors.add(new BatchJob.Problem(
                        "internal_error",
                        "the gateway could not run this batch; " + "quote the batch id when reporting this",
                        null,
                        null));
                job.status = BatchStatus.FAILED;
                job.failedAt = now();
                store.save(job);
            }
        }
    }

    /** validating -> in_progress, or failed with the problems OpenAI's {@code errors} would list. */
    private void validate(BatchJob job) {
        Path input = files.contentOf(job.inputFileId);
        BatchJob.Problem problem = null;
        long total = 0;
        if (files.find(job.tenant, job.inputFileId).isEmpty() || !Files.isRegularFile(input)) {
            problem = new BatchJob.Problem(
                    "invalid_file", "the input file " + job.inputFileId + " no longer exists", "input_file_id", null);
        } else {
            try {
                InputFile.Summary summary = InputFile.check(input, properties.maxLines());
                total = summary.lines();
                InputFile.read(input, line -> {
                    if (!line.url().equals(job.endpoint)) {
                        throw InputFile.bad(
                                line.number(), "url " + line.url() + " is not the batch's endpoint " + job.endpoint);
                    }
                });
            } catch (ApiException e) {
                Object line = e.extra().get("line");
                problem =
                        new BatchJob.Problem(e.code(), e.getMessage(), e.param(), line instanceof Integer n ? n : null);
            }
        }
        synchronized (job) {
            if (job.status == BatchStatus.CANCELLING) {
                return;
            }
            if (problem != null) {
                job.errors.add(problem);
                job.status = BatchStatus.FAILED;
                job.failedAt = now();
            } else {
                job.total = total;
                job.status = BatchStatus.IN_PROGRESS;
                job.inProgressAt = now();
            }
            store.save(job);
        }
    }

    private void runLines(BatchJob job) {
        Principal principal = principalOf(job);
        if (principal == null) {
            return;
        }
        Phaser inFlight = new Phaser(1);
        try (ResultLog output = new ResultLog(store.outputLog(job.id));
                ResultLog errors = new ResultLog(store.errorLog(job.id))) {
            synchronized (job) {
                job.completed = output.lines();
                job.failed = errors.lines();
            }
            try {
                InputFile.read(files.contentOf(job.inputFileId), line -> {
                    if (output.done(line.customId()) || errors.done(line.customId())) {
                        return;
                    }
                    Semaphore slots = permitsFor(line.model());
                    if (!acquire(job, slots)) {
                        throw new EndOfRun();
                    }
                    inFlight.register();
                    workers.execute(() -> {
                        try {
                            runLine(job, principal, line, output, errors);
                        } catch (RuntimeException e) {
                            if (running) {
                                log.error("batch {} line {}: {}", job.id, line.number(), e.toString());
                            }
                        } finally {
                            slots.release();
                            inFlight.arriveAndDeregister();
                        }
                    });
                });
            } catch (EndOfRun end) {
                // cancelled, expired or stopping: lines in flight finish below
            }
            awaitLines(inFlight);
            if (!running) {
                throw new Stopped();
            }
            boolean expired = now() >= job.expiresAt;
            synchronized (job) {
                if (job.status == BatchStatus.CANCELLING) {
                    finish(job, BatchStatus.CANCELLED);
                    return;
                }
            }
            if (expired && job.completed + job.failed < job.total) {
                writeExpired(job, output, errors);
                finish(job, BatchStatus.EXPIRED);
                return;
            }
            synchronized (job) {
                job.status = BatchStatus.FINALIZING;
                job.finalizingAt = now();
                store.save(job);
            }
        }
    }

    private void awaitLines(Phaser inFlight) {
        int phase = inFlight.arrive();
        try {
            inFlight.awaitAdvanceInterruptibly(phase);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    /** Waits for a permit while the batch may still take lines; false when it may not (cancel, expiry, stop). */
    private boolean acquire(BatchJob job, Semaphore slots) {
        try {
            while (mayTakeLines(job)) {
                if (slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean mayTakeLines(BatchJob job) {
        return running && job.status() == BatchStatus.IN_PROGRESS && now() < job.expiresAt;
    }

    private void runLine(BatchJob job, Principal principal, InputLine line, ResultLog output, ResultLog errors) {
        while (true) {
            LineOutcome outcome = lines.run(job, principal, line).block();
            if (outcome == null) {
                throw new IllegalStateException("no outcome for line " + line.number());
            }
            if (outcome.retryable()) {
                if (!pause(job, outcome.retryAfter().isZero() ? properties.retryDelay() : outcome.retryAfter())) {
                    return; // not done: runs again after a restart, or is reported expired
                }
                continue;
            }
            byte[] json = ResultLines.response(line, outcome);
            boolean released = outcome.succeeded() && !outcome.withheld();
            if (released) {
                output.append(line.customId(), json);
            } else {
                errors.append(line.customId(), json);
            }
            synchronized (job) {
                if (released) {
                    job.completed++;
                } else {
                    job.failed++;
                }
            }
            return;
        }
    }

    /** Waits out a temporary refusal; false when the batch stops taking lines meanwhile. */
    private boolean pause(BatchJob job, Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (!mayTakeLines(job)) {
                    return false;
                }
                Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return mayTakeLines(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lines never run before the completion window closed, reported as OpenAI does ({@code batch_expired}). */
    private void writeExpired(BatchJob job, ResultLog output, ResultLog errors) {
        InputFile.read(files.contentOf(job.inputFileId), line -> {
            if (!output.done(line.customId()) && !errors.done(line.customId())) {
                errors.append(
                        line.customId(),
                        ResultLines.error(
                                line,
                                "batch_expired",
                                "This request could not be executed before the completion window expired."));
                synchronized (job) {
                    job.failed++;
                }
            }
        });
    }

    /** Turns the result logs into the batch's output and error files, then ends the batch with {@code end}. */
    private void finish(BatchJob job, BatchStatus end) {
        StoredFile output = keep(job, store.outputLog(job.id), ResultLines.outputFileId(job.id), "output");
        StoredFile errors = keep(job, store.errorLog(job.id), ResultLines.errorFileId(job.id), "error");
        synchronized (job) {
            job.outputFileId = output == null ? null : output.id();
            job.errorFileId = errors == null ? null : errors.id();
            job.completed = output == null ? 0 : output.lines();
            job.failed = errors == null ? 0 : errors.lines();
            job.status = end;
            long now = now();
            switch (end) {
                case COMPLETED -> job.completedAt = now;
                case CANCELLED -> job.cancelledAt = now;
                case EXPIRED -> job.expiredAt = now;
                default -> throw new IllegalArgumentException(end.wire());
            }
            store.save(job);
        }
        if (output != null) {
            audit.wrote(job, output);
        }
        if (errors != null) {
            audit.wrote(job, errors);
        }
        log.info(
                "batch {} {}: {} completed, {} failed of {}", job.id, end.wire(), job.completed, job.failed, job.total);
    }

    /**
     * A result log as a stored file under its batch-derived id; done again after a kill part-way (the log already
     * moved is found in the store). Null when there is no line to keep.
     */
    private StoredFile keep(BatchJob job, Path resultLog, String fileId, String kind) {
        Path source = Files.exists(resultLog) ? resultLog : files.contentOf(fileId);
        if (!Files.exists(source)) {
            return files.find(job.tenant, fileId).orElse(null);
        }
        long lines = ResultLines.count(source);
        if (lines == 0) {
            try {
                Files.deleteIfExists(source);
            } catch (java.io.IOException e) {
                log.warn("batch {}: empty {} log left behind: {}", job.id, kind, e.toString());
            }
            return null;
        }
        long now = now();
        StoredFile file = new StoredFile(
                fileId,
                job.tenant,
                job.id + "_" + kind + ".jsonl",
                StoredFile.BATCH_OUTPUT,
                sizeOf(source),
                now,
                FileStore.sha256(source),
                lines,
                "output".equals(kind) ? job.attribution : "",
                files.expiresAt(job.tenant, StoredFile.BATCH_OUTPUT, now, job.outputExpiresAfter));
        return files.keep(file, source);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Principal principalOf(BatchJob job) {
        Optional<Principal> principal = tenants.tenant(job.tenant).flatMap(t -> t.keys().stream()
                .filter(k -> k.id().equals(job.keyId))
                .findFirst()
                .map(k -> new Principal(t, k)));
        if (principal.isEmpty()) {
            synchronized (job) {
                job.errors.add(new BatchJob.Problem(
                        "key_revoked",
                        "the API key that created this batch no longer " + "exists in tenant " + job.tenant,
                        null,
                        null));
                job.status = BatchStatus.FAILED;
                job.failedAt = now();
                store.save(job);
            }
            return null;
        }
        return principal.get();
    }

    private Semaphore permitsFor(String model) {
        return permits.computeIfAbsent(model, m -> new Semaphore(permitsOfModel.apply(m)));
    }

    Collection<BatchJob> all() {
        return jobs.values();
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    /** The input walk ends early: the batch takes no more lines. */
    private static final class EndOfRun extends RuntimeException {
        EndOfRun() {
            super(null, null, false, false);
        }
    }

    /** The gateway is stopping: the batch stays as it is on disk and resumes at the next start. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
