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
 * @param instanceId      this writer's name in the store: its entries form one chain per tenant under this id
 *                        ({@link ChainId}). Every process writing to one store needs its own; a restarted process
 *                        that keeps its id continues its chains. Defaults to the host name ({@link #defaultInstanceId})
 */
public record AuditLogConfig(
        int queueCapacity,
        int maxBatch,
        Path spillFile,
        SpillFailure onSpillFailure,
        Duration retryInterval,
        String instanceId) {

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

    public static final int MAX_INSTANCE_ID_LENGTH = 128;

    public AuditLogConfig {
        Objects.requireNonNull(spillFile, "spillFile");
        Objects.requireNonNull(instanceId, "instanceId");
        if (instanceId.isBlank() || instanceId.length() > MAX_INSTANCE_ID_LENGTH || instanceId.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("instanceId must be 1.." + MAX_INSTANCE_ID_LENGTH
                    + " characters without NUL: '" + instanceId + "'");
        }
        Objects.requireNonNull(onSpillFailure, "onSpillFailure");
        Objects.requireNonNull(retryInterval, "retryInterval");
        if (queueCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("queueCapacity and maxBatch must be positive");
        }
    }

    /** With the {@link #defaultInstanceId() default instance id}. */
    public AuditLogConfig(
            int queueCapacity, int maxBatch, Path spillFile, SpillFailure onSpillFailure, Duration retryInterval) {
        this(queueCapacity, maxBatch, spillFile, onSpillFailure, retryInterval, defaultInstanceId());
    }

    public static AuditLogConfig defaults() {
        return new AuditLogConfig(
                DEFAULT_QUEUE_CAPACITY,
                DEFAULT_MAX_BATCH,
                DEFAULT_SPILL_FILE,
                SpillFailure.REFUSE,
                DEFAULT_RETRY_INTERVAL,
                defaultInstanceId());
    }

    /**
     * The host name: stable across restarts of the same replica (so it continues its chains, loading their heads
     * from the store) and distinct between replicas, which is all a chain owner needs. Not random: a fresh id per
     * start would leave a new set of chains behind at every restart. Where host names repeat (two containers on
     * the host network), set the id explicitly; two writers sharing an id are refused by the store as a chain fork.
     */
    public static String defaultInstanceId() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                name = "localhost";
            }
        }
        name = name.strip();
        return name.length() > MAX_INSTANCE_ID_LENGTH ? name.substring(0, MAX_INSTANCE_ID_LENGTH) : name;
    }

    public AuditLogConfig withQueueCapacity(int value) {
        return new AuditLogConfig(value, maxBatch, spillFile, onSpillFailure, retryInterval, instanceId);
    }

    public AuditLogConfig withMaxBatch(int value) {
        return new AuditLogConfig(queueCapacity, value, spillFile, onSpillFailure, retryInterval, instanceId);
    }

    public AuditLogConfig withSpillFile(Path value) {
        return new AuditLogConfig(queueCapacity, maxBatch, value, onSpillFailure, retryInterval, instanceId);
    }

    public AuditLogConfig withOnSpillFailure(SpillFailure value) {
        return new AuditLogConfig(queueCapacity, maxBatch, spillFile, value, retryInterval, instanceId);
    }

    public AuditLogConfig withRetryInterval(Duration value) {
        return new AuditLogConfig(queueCapacity, maxBatch, spillFile, onSpillFailure, value, instanceId);
    }

    public AuditLogConfig withInstanceId(String value) {
        return new AuditLogConfig(queueCapacity, maxBatch, spillFile, onSpillFailure, retryInterval, value);
    }
}
