package dev.warden.gateway.audit;

import dev.warden.gateway.WardenProperties;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.audit.SqliteAuditStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuditConfiguration.class);

    /**
     * The store, a bean of its own so that it is closed (its connection or pool released) at shutdown, after the
     * log that writes to it: Spring destroys a bean's dependents first.
     */
    @Bean(destroyMethod = "close")
    AuditStore auditStore(AuditProperties properties, WardenProperties warden) {
        java.nio.file.Path file = dev.warden.gateway.PrivateFiles.sqliteFile(location(properties, warden));
        if (file != null && !file.toString().startsWith(":memory:")) {
            dev.warden.gateway.PrivateFiles.ownerOnly(file);
        }
        return AuditStores.open(
                location(properties, warden),
                properties.user(),
                properties.password(),
                properties.sqliteSync() == null ? SqliteAuditStore.Sync.FULL : properties.sqliteSync());
    }

    private static String location(AuditProperties properties, WardenProperties warden) {
        return properties.store() == null ? warden.dataDir().resolve("audit.db").toString() : properties.store();
    }

    /**
     * The operator's checkpoint-signing key, from its key file (generated at first start). Its public half is
     * logged and written beside the key file: auditors verify with it.
     */
    @Bean
    OperatorKey operatorKey(AuditProperties properties, WardenProperties warden) {
        Path file = properties.operatorKeyFile() == null
                ? warden.dataDir().resolve("audit-operator.key")
                : properties.operatorKeyFile();
        OperatorKey key = OperatorKey.loadOrCreate(file);
        log.info(
                "audit checkpoints signed with operator key {} (Ed25519 public key, base64 X.509: {}; also in {})",
                key.keyId(),
                key.publicKeyText(),
                OperatorKey.publicFile(file).getFileName());
        return key;
    }

    /** The secret of the content fingerprints: the base64 setting if given, else the key file (generated once). */
    @Bean
    FingerprintKey fingerprintKey(AuditProperties properties, WardenProperties warden) {
        if (properties.fingerprintSecret() != null
                && !properties.fingerprintSecret().isBlank()) {
            return FingerprintKey.ofBase64(properties.fingerprintSecret());
        }
        return FingerprintKey.loadOrCreate(
                properties.fingerprintKeyFile() == null
                        ? warden.dataDir().resolve("audit-fingerprint.key")
                        : properties.fingerprintKeyFile());
    }

    @Bean(destroyMethod = "close")
    AuditLog auditLog(
            AuditStore store,
            AuditProperties properties,
            WardenProperties warden,
            MeterRegistry metrics,
            OperatorKey operatorKey) {
        String location = location(properties, warden);
        if (!properties.on()) {
            log.warn("AUDIT LOG DISABLED (warden.audit.enabled=false): requests are not recorded");
        }
        AuditLogConfig config = AuditLogConfig.defaults()
                .withSpillFile(
                        properties.spillFile() == null
                                ? warden.dataDir().resolve("audit-spill.jsonl")
                                : properties.spillFile());
        if (properties.onSpillFailure() != null) {
            config = config.withOnSpillFailure(properties.onSpillFailure());
        }
        if (properties.maxBatch() != null) {
            config = config.withMaxBatch(properties.maxBatch());
        }
        if (properties.queueCapacity() != null) {
            config = config.withQueueCapacity(properties.queueCapacity());
        }
        if (properties.instanceId() != null && !properties.instanceId().isBlank()) {
            config = config.withInstanceId(properties.instanceId());
        }
        dev.warden.gateway.PrivateFiles.ownerOnly(config.spillFile());
        AuditLog auditLog =
                new AuditLog(store, config, new AuditLog.Checkpoints(operatorKey, properties.checkpointEvery()));
        log.info(
                "audit log in {} as instance {} (spill file {})",
                location.replaceAll("password=[^&]*", "password=***"),
                config.instanceId(),
                config.spillFile());
        Gauge.builder("warden.audit.spilled", auditLog, l -> l.stats().spilled())
                .register(metrics);
        Gauge.builder("warden.audit.accepting", auditLog, l -> l.accepting() ? 1 : 0)
                .register(metrics);
        return auditLog;
    }

    /** Each request's record, written through the audit log; content redacted as the guards redact it. */
    @Bean
    dev.warden.gateway.flow.AuditTrail auditTrail(
            AuditLog auditLog,
            dev.warden.gateway.flow.Guards guards,
            MeterRegistry metrics,
            AuditProperties audit,
            dev.warden.policy.audit.FingerprintKey fingerprints,
            org.springframework.beans.factory.ObjectProvider<dev.warden.gateway.flow.CallObserver> observers) {
        return new dev.warden.gateway.flow.AuditTrail(
                auditLog,
                guards.redactor(),
                fingerprints,
                metrics,
                audit.on(),
                dev.warden.gateway.flow.CallObserver.all(
                        observers.orderedStream().toList()));
    }

    @Bean
    AuthFailureAudit authFailureAudit(
            dev.warden.gateway.flow.AuditTrail trail, AuditProperties properties, MeterRegistry metrics) {
        return new AuthFailureAudit(trail, properties.authFailureRate(), metrics);
    }
}
