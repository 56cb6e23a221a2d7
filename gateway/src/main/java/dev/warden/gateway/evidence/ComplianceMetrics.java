package dev.warden.gateway.evidence;

import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts durable audit records by tenant ({@code warden_audit_tenant_records_total}) and blocked ones by tenant and
 * category ({@code warden_audit_blocked_total}), the series the Prometheus block-rate rules in
 * {@code docker/prometheus/compliance-alerts.yml} divide. Called on the audit writer thread: counters only.
 */
final class ComplianceMetrics {

    private final MeterRegistry metrics;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    ComplianceMetrics(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    void observe(List<ChainedEntry> entries) {
        for (ChainedEntry e : entries) {
            if (!(e.entry() instanceof AuditRecord r) || r.outcome() == Outcome.STREAM_STARTED) {
                continue;
            }
            counter("warden.audit.tenant.records", r.tenant(), null).increment();
            if (r.outcome() == Outcome.BLOCKED_INPUT || r.outcome() == Outcome.CUT_OUTPUT) {
                List<String> categories = r.categories().isEmpty() ? List.of("none") : r.categories();
                for (String c : categories) {
                    counter("warden.audit.blocked", r.tenant(), c).increment();
                }
            }
        }
    }

    private Counter counter(String name, String tenant, String category) {
        return counters.computeIfAbsent(
                name + '\u0000' + tenant + '\u0000' + category,
                k -> category == null
                        ? metrics.counter(name, "tenant", tenant)
                        : metrics.counter(name, "tenant", tenant, "category", category));
    }
}
