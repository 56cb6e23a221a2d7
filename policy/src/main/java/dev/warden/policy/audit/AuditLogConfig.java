package dev.warden.policy.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of the {@link AuditLog}.
 *
 * @param queueCapacity   appends waiting for the writer; when full, {@code append} fails at once (never blocks)
 * @param maxBatch        most entries committed in one transaction (group commit)
 * @param spillFile       JSON-lines file for entries the store could not take
 * @param onSpillFailure  what happens when neither store nor spill file can take an entry
 * @param retryInterval   how often the writer retries the store while entries wait in the spill file
 */
public record AuditLogConfig(int queueCapacity, int maxBatch, Path spillFile, SpillFailure onSpillFailure,
                             Duration retryInterval) {

    /** Behaviour when an entry can be neither stored nor spilled. Either way its future fails and it is counted. */
    public enum SpillFailure {
        /** {@link AuditLog#accepting()} turns false, so the gateway answers 503 until audit writes succeed again. */
        REFUSE,
        /** The entry is logged at ERROR with its full body and the gateway keeps serving. */
        LOG_AND_CONTINUE
    }

    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_MAX_BATCH = 500;
    public static final Path DEFAULT_SPILL_FILE = Path.of("data", "audit-spill.jsonl");
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

    public AuditLogConfig {
        Objects.requireNonNull(spillFile, "spillFile");
        Objects.requireNonNull(onSpillFailure, "onSpillFailure");
        Objects.requireNonNull(retryInterval, "retryInterval");
        if (queueCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("queueCapacity and maxBatch must be positive");
        }
    }

    public static AuditLogConfig defaults() {
        return new AuditLogConfig(DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_BATCH, DEFAULT_SPILL_FILE, SpillFailure.REFUSE,
                DEFAULT_RETRY_INTERVAL);
    }

    public AuditLogConfig withQueueCapacity(int value) {
        return new AuditLogConfig(value, maxBatch, spillFile, onSpillFailure, retryInterval);
    }

    public AuditLogConfig withMaxBatch(int value) {
        return new AuditLogConfig(queueCapacity, value, spillFile, onSpillFailure, retryInterval);
    }

    public AuditLogConfig withSpillFile(Path value) {
        return new AuditLogConfig(queueCapacity, maxBatch, value, onSpillFailure, retryInterval);
    }

    public AuditLogConfig withOnSpillFailure(SpillFailure value) {
        return new AuditLogConfig(queueCapacity, maxBatch, spillFile, value, retryInterval);
    }

    public AuditLogConfig withRetryInterval(Duration value) {
        return new AuditLogConfig(queueCapacity, maxBatch, spillFile, onSpillFailure, value);
    }
}
