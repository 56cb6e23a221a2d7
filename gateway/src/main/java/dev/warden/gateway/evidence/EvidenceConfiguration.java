package dev.warden.gateway.evidence;

import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.audit.AuditProperties;
import dev.warden.policy.alert.AlertSink;
import dev.warden.policy.alert.ComplianceAlerts;
import dev.warden.policy.alert.SlackWebhook;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.evidence.PolicyHistory;
import dev.warden.policy.siem.SiemForwarder;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The evidence around the audit log: policy versions and changes, compliance alerts and metrics, the SIEM stream. */
@Configuration(proxyBeanMethods = false)
public class EvidenceConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EvidenceConfiguration.class);

    @Bean
    PolicyHistory policyHistory(AuditLog auditLog) {
        return new PolicyHistory(auditLog, Clock.systemUTC());
    }

    /** With recording off there is no audit trail to put policy changes in. */
    @Bean
    PolicyChanges policyChanges(PolicyHistory history, TenantDirectory tenants, AuditProperties audit) {
        return audit.on() ? new PolicyChanges(history, tenants) : null;
    }

    /**
     * The alerts, their evaluation and the periodic chain verification, on one daemon thread of their own; the
     * metrics the Prometheus rules use. Alerts are logged always and posted when a webhook is configured.
     */
    @Bean(destroyMethod = "close")
    AlertSchedule complianceAlerts(
            AlertProperties properties,
            AuditLog auditLog,
            OperatorKey operatorKey,
            MeterRegistry metrics,
            dev.warden.gateway.telemetry.ChainVerifyMetrics verifications) {
        ComplianceMetrics counts = new ComplianceMetrics(metrics);
        auditLog.observe(counts::observe);
        AlertSink sink = properties.webhookUrl() == null
                ? alert ->
                        log.warn("ALERT {} (no warden.alerts.webhook-url configured): {}", alert.key(), alert.summary())
                : new SlackWebhook(properties.webhookUrl(), Duration.ofSeconds(10));
        ComplianceAlerts alerts = new ComplianceAlerts(properties.rules(), sink, Clock.systemUTC(), auditLog::stats);
        auditLog.observe(alerts::observe);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-compliance-alerts");
            t.setDaemon(true);
            return t;
        });
        long every = properties.evaluationInterval().toMillis();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        alerts.evaluate();
                    } catch (RuntimeException e) {
                        log.error("compliance alert evaluation failed", e);
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        AtomicInteger broken = new AtomicInteger();
        Gauge.builder("warden.audit.chains.broken", broken, AtomicInteger::get)
                .description("audit chains found broken by the last periodic verification")
                .register(metrics);
        Duration verify = properties.verificationInterval();
        if (!verify.isZero()) {
            scheduler.scheduleWithFixedDelay(
                    () -> verifyChains(auditLog.store(), operatorKey, alerts, broken, verifications),
                    verify.toMillis(),
                    verify.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        log.info(
                "compliance alerts: {} every {}, chains verified every {}",
                properties.webhookUrl() == null ? "logged" : "posted to the configured webhook",
                properties.evaluationInterval(),
                verify.isZero() ? "(off)" : verify);
        return new AlertSchedule(alerts, scheduler);
    }

    private static void verifyChains(
            AuditStore store,
            OperatorKey key,
            ComplianceAlerts alerts,
            AtomicInteger gauge,
            dev.warden.gateway.telemetry.ChainVerifyMetrics verifications) {
        try {
            List<ChainVerifier.Report> reports = new ChainVerifier(store, key.publicKey()).verifyAll();
            verifications.verified(reports);
            List<ChainVerifier.Report> bad =
                    reports.stream().filter(r -> !r.intact()).toList();
            gauge.set(bad.size());
            if (bad.isEmpty()) {
                alerts.chainsIntact();
            } else {
                bad.forEach(
                        r -> log.error("AUDIT CHAIN BROKEN: {}", r.firstBroken().orElseThrow()));
                alerts.chainBroken(bad.get(0).firstBroken().orElseThrow());
            }
        } catch (RuntimeException e) {
            log.error("periodic audit chain verification failed: {}", e.toString());
        }
    }

    /** The SIEM stream, when {@code warden.siem.host} is set. */
    @Bean(destroyMethod = "close")
    SiemForwarder siemForwarder(SiemProperties siem, AuditLog auditLog, WardenProperties warden) {
        if (!siem.enabled()) {
            return null;
        }
        return new SiemForwarder(
                        auditLog.store(),
                        new SiemForwarder.Settings(
                                siem.host(),
                                siem.portOrDefault(),
                                siem.useTls(),
                                siem.caFile(),
                                siem.backlogDir() == null ? warden.dataDir().resolve("siem") : siem.backlogDir(),
                                siem.maxBacklog() == null
                                        ? 64L * 1024 * 1024
                                        : siem.maxBacklog().toBytes(),
                                siem.poll() == null ? Duration.ofSeconds(1) : siem.poll(),
                                siem.confirmAfter() == null ? Duration.ofSeconds(2) : siem.confirmAfter(),
                                Duration.ofSeconds(5),
                                auditLog.instanceId()))
                .start();
    }
}
