package dev.warden.gateway.batch;

import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes what the Files and Batch API keeps once its time is up, every
 * {@link BatchProperties.Retention#sweepInterval()} on a thread of its own (file I/O and waits for the audit log,
 * never on an event loop): files past their {@code expires_at}; finished batches' records
 * {@link BatchProperties.Retention#batches()} after they ended (files without an expiry and, with a retention of 0,
 * batch records stay until deleted); what a kill left of an upload or a deletion
 * ({@link FileStore#leftovers}, logged, not audited: no client ever had it).
 * <p>
 * A file that a batch still running reads, or that a batch being created has just found, is kept until that batch
 * ends ({@link FileClaims}), and nothing of a tenant under
 * {@code audit.legal-hold} is deleted while the hold lasts; such files are unknown to the API all the same. Each
 * deletion is recorded in the audit log first and happens only once that record is durable: no data leaves without
 * a record saying why. A sweep cut short (a kill, an audit log that cannot take records) is done again by the next
 * one, since expiries are stored with the files and batches.
 */
final class RetentionSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

    /**
     * Leftovers of an upload or deletion cut short by a kill go once they have not changed for this long: longer
     * than any upload takes, so that one still arriving is never taken for a leftover.
     */
    static final Duration LEFTOVER_AGE = Duration.ofDays(1);

    private final FileStore files;
    private final FileClaims claims;
    private final BatchRunner runner;
    private final BatchAudit audit;
    private final TenantDirectory tenants;
    private final BatchProperties.Retention retention;
    private final Clock clock;
    private final Counter filesDeleted;
    private final Counter batchesDeleted;
    private final Counter leftoversDeleted;
    private final Counter sweepsCutShort;
    private volatile ScheduledExecutorService schedule;

    RetentionSweeper(
            FileStore files,
            FileClaims claims,
            BatchRunner runner,
            BatchAudit audit,
            TenantDirectory tenants,
            BatchProperties.Retention retention,
            Clock clock,
            MeterRegistry metrics) {
        this.files = files;
        this.claims = claims;
        this.runner = runner;
        this.audit = audit;
        this.tenants = tenants;
        this.retention = retention;
        this.clock = clock;
        this.filesDeleted = deleted(metrics, "file");
        this.batchesDeleted = deleted(metrics, "batch");
        this.leftoversDeleted = deleted(metrics, "leftover");
        // a sweep that keeps stopping (an audit log that takes no records) leaves expired data on disk: alert on it
        this.sweepsCutShort = Counter.builder("warden.batch.retention.sweeps.failed")
                .description("Retention sweeps that stopped early; the next one continues")
                .register(metrics);
    }

    private static Counter deleted(MeterRegistry metrics, String what) {
        return Counter.builder("warden.batch.retention.deleted")
                .description("Stored files, batch records and upload leftovers deleted by retention")
                .tag("what", what)
                .register(metrics);
    }

    /** One pass; run by the schedule, one at a time. */
    void sweep() {
        for (StoredFile file : files.expired()) {
            if (onHold(file.tenant())) {
                continue;
            }
            if (deleteExpired(file)) {
                filesDeleted.increment();
                log.info("file {} of tenant {} expired and was deleted", file.id(), file.tenant());
            }
        }
        for (Path leftover : files.leftovers(clock.instant().minus(LEFTOVER_AGE))) {
            try {
                if (Files.deleteIfExists(leftover)) {
                    leftoversDeleted.increment();
                }
                log.info("deleted {}, left behind by an upload or deletion cut short", leftover.getFileName());
            } catch (IOException e) {
                log.warn("cannot delete {}: {}", leftover.getFileName(), e.toString());
            }
        }
        long now = clock.instant().getEpochSecond();
        for (BatchJob job : runner.all()) {
            Long endedAt = job.endedAt();
            if (endedAt != null
                    && retention.batchesExpire()
                    && now >= endedAt + retention.batches().toSeconds()
                    && !onHold(job.tenant)) {
                recorded(audit.forgotten(job, endedAt));
                runner.forget(job);
                batchesDeleted.increment();
                log.info(
                        "batch {} of tenant {} ended over {} ago and was deleted",
                        job.id,
                        job.tenant,
                        retention.batches());
            }
        }
    }

    /**
     * Deletes an expired file unless a batch holds it: the check and the claim are one step ({@link FileClaims}), so
     * a batch created on the file meanwhile is refused it until it is gone. False when the file stays, or went before
     * the claim (a client's DELETE, another sweep): no second record of one deletion.
     */
    private boolean deleteExpired(StoredFile file) {
        // a download that found the file before it expired is sent it whole; the last such one erases it
        FileClaims.Deletion deletion = claims.delete(
                file.tenant(),
                file.id(),
                () -> {
                    if (files.find(file.tenant(), file.id()).isEmpty()) {
                        return false;
                    }
                    recorded(audit.expired(file));
                    return files.forget(file.id());
                },
                () -> files.eraseContentOf(file.id()));
        if (deletion.heldBy() != FileClaims.Holder.NONE) {
            log.debug("file {} expired but held ({}); kept until let go", file.id(), deletion.heldBy());
        }
        return deletion.forgotten();
    }

    /** Litigation or an investigation: the tenant's data stays until the hold is lifted in the tenants file. */
    private boolean onHold(String tenant) {
        return tenants.tenant(tenant).map(t -> t.policy().audit().legalHold()).orElse(false);
    }

    /** Waits for an audit record; the deletion it announces does not happen without it. */
    private static void recorded(CompletableFuture<Void> record) {
        try {
            record.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while waiting for the audit log", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the audit log did not keep the record of a deletion", e);
        }
    }

    private void sweepLogged() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // the schedule must survive: what was not deleted now is found again at the next sweep
            sweepsCutShort.increment();
            log.warn("retention sweep stopped early, the next one continues: {}", e.toString());
        }
    }

    @Override
    public void start() {
        schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-batch-retention");
            t.setDaemon(true);
            return t;
        });
        long every = retention.sweepInterval().toMillis();
        schedule.scheduleWithFixedDelay(this::sweepLogged, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = schedule;
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("the retention sweep did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        schedule = null;
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }

    /**
     * Starts after the {@link BatchRunner} has taken up the batches that had not ended (until then a file in use
     * would look unused) and stops before it; the audit log closes after both.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
