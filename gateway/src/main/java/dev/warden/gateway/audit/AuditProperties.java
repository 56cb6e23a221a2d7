package dev.warden.gateway.audit;

import dev.warden.policy.audit.AuditLogConfig;
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
 * @param instanceId     this replica's name in the audit store, one hash chain per tenant under it; must differ
 *                       between replicas sharing a store and stay the same across restarts (default: host name)
 */
@ConfigurationProperties("warden.audit")
public record AuditProperties(String store, String user, String password, Path spillFile,
                              AuditLogConfig.SpillFailure onSpillFailure, Integer maxBatch, Integer queueCapacity,
                              String instanceId) {
}
