package dev.warden.gateway.audit;

import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.SqliteAuditStore;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The audit log, under {@code warden.audit}.
 *
 * @param store          {@code data/audit.db} (embedded SQLite file, the default) or
 *                       {@code jdbc:postgresql://host:5432/db} for a shared store
 * @param user           database user (PostgreSQL)
 * @param password       database password (PostgreSQL)
 * @param spillFile      where records go while the store is unavailable; replayed when it returns
 * @param onSpillFailure {@code refuse} (default: new requests get 503) or {@code log-and-continue}
 * @param enabled        false turns recording off (benchmarks, throwaway setups); the start-up log says so loudly
 * @param sqliteSync     {@code full} (default: survives power loss) or {@code normal} (survives a killed process,
 *                       not a power cut; about twice the append rate)
 * @param instanceId     this replica's name in the audit store, one hash chain per tenant under it; must differ
 *                       between replicas sharing a store and stay the same across restarts (default: host name)
 * @param authFailuresPerSecond refused authentications (401) this instance records per second, at most (default
 *                       {@value #DEFAULT_AUTH_FAILURES_PER_SECOND}, 0 records none); beyond it they are only
 *                       counted, so that a client spraying bad keys cannot fill the disk or crowd out the records
 *                       of served requests
 * @param operatorKeyFile the operator's Ed25519 key that signs chain-head checkpoints (default
 *                       {@code <data-dir>/audit-operator.key}); created at first start (0600) with its public half in
 *                       {@code <file>.pub}, which auditors verify with. Keep it out of the database's backups
 * @param checkpointInterval how often the chain heads are checkpointed and signed when they moved (default
 *                       {@value #DEFAULT_CHECKPOINT_INTERVAL}); also at shutdown. Bounds what a truncation can
 *                       remove unnoticed
 * @param fingerprintKeyFile the secret of the prompt and response fingerprints (HMAC-SHA256; default
 *                       {@code <data-dir>/audit-fingerprint.key}, created at first start, 0600)
 * @param fingerprintSecret the same secret given directly as base64 (e.g. environment variable
 *                       {@code WARDEN_AUDIT_FINGERPRINTSECRET}); wins over the file
 * @param authFailuresRetentionDays how long {@code POST /admin/audit/retention} keeps those records (default
 *                       {@value #DEFAULT_AUTH_FAILURES_RETENTION_DAYS}); they belong to no tenant, so no tenant's
 *                       {@code audit.retention-days} applies
 */
@ConfigurationProperties("warden.audit")
public record AuditProperties(
        String store,
        String user,
        String password,
        Path spillFile,
        AuditLogConfig.SpillFailure onSpillFailure,
        Integer maxBatch,
        Integer queueCapacity,
        String instanceId,
        Boolean enabled,
        SqliteAuditStore.Sync sqliteSync,
        Integer authFailuresPerSecond,
        Integer authFailuresRetentionDays,
        Path operatorKeyFile,
        java.time.Duration checkpointInterval,
        Path fingerprintKeyFile,
        String fingerprintSecret) {

    public static final String DEFAULT_CHECKPOINT_INTERVAL = "1m";

    public static final int DEFAULT_AUTH_FAILURES_PER_SECOND = 20;
    public static final int DEFAULT_AUTH_FAILURES_RETENTION_DAYS = 90;

    public AuditProperties {
        if (authFailuresPerSecond != null && authFailuresPerSecond < 0) {
            throw new IllegalArgumentException(
                    "warden.audit.auth-failures-per-second must be 0 or more, got " + authFailuresPerSecond);
        }
        if (checkpointInterval != null && (checkpointInterval.isNegative() || checkpointInterval.isZero())) {
            throw new IllegalArgumentException(
                    "warden.audit.checkpoint-interval must be positive, got " + checkpointInterval);
        }
        if (authFailuresRetentionDays != null && authFailuresRetentionDays < 1) {
            throw new IllegalArgumentException(
                    "warden.audit.auth-failures-retention-days must be 1 or more, got " + authFailuresRetentionDays);
        }
    }

    /** Off only for measurements and throwaway setups: requests are then not recorded at all. */
    public boolean on() {
        return enabled == null || enabled;
    }

    public int authFailureRate() {
        return authFailuresPerSecond == null ? DEFAULT_AUTH_FAILURES_PER_SECOND : authFailuresPerSecond;
    }

    public java.time.Duration checkpointEvery() {
        return checkpointInterval == null ? java.time.Duration.ofMinutes(1) : checkpointInterval;
    }

    public int authFailureRetentionDays() {
        return authFailuresRetentionDays == null ? DEFAULT_AUTH_FAILURES_RETENTION_DAYS : authFailuresRetentionDays;
    }
}
