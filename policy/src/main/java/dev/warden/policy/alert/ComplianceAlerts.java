package dev.warden.policy.alert;

import dev.warden.guard.Verdict;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compliance alerts, evaluated from the audit log itself so that they see exactly what the records say:
 * <ul>
 * <li>{@code block_rate_spike}: a tenant's requests blocked for one category make up at least
 * {@link AlertRules#blockRate()} of its requests in the window, and at least {@link AlertRules#minimumBlocked()};</li>
 * <li>{@code fail_open_bypass}: a request of a fail-open tenant passed although a classifier failed or timed out;</li>
 * <li>{@code audit_spill}: the audit store is unavailable and records go to the spill file (or are lost);</li>
 * <li>{@code chain_verify_failure}: a verification found a broken chain.</li>
 * </ul>
 * Records are counted as they become durable ({@link AuditLog#observe}, on the writer thread: counting only);
 * {@link #evaluate()} (on a scheduler thread) finds what fires and sends each alert key at most once per
 * de-duplication window. An alert whose delivery failed is tried again at the next evaluation.
 */
public final class ComplianceAlerts {

    private static final Logger log = LoggerFactory.getLogger(ComplianceAlerts.class);

    /** Blocked requests without a flagged category are counted under this one. */
    static final String NO_CATEGORY = "none";

    private record Seen(Instant time, String tenant, boolean blocked, List<String> categories, List<String> bypassed) {}

    private final AlertRules rules;
    private final AlertSink sink;
    private final Clock clock;
    private final Supplier<AuditLog.Stats> auditStats;
    private final Deque<Seen> seen = new ArrayDeque<>();
    private final Map<String, Instant> sent = new HashMap<>();
    private volatile ChainVerifier.BrokenLink broken;
    private long spilledAtLastLook = -1;
    private long lostAtLastLook = -1;

    public ComplianceAlerts(AlertRules rules, AlertSink sink, Clock clock, Supplier<AuditLog.Stats> auditStats) {
        this.rules = rules;
        this.sink = sink;
        this.clock = clock;
        this.auditStats = auditStats;
    }

    /** Counts durable entries; for {@link AuditLog#observe}. */
    public void observe(List<ChainedEntry> entries) {
        Instant now = clock.instant();
        List<Seen> batch = new ArrayList<>();
        for (ChainedEntry e : entries) {
            if (!(e.entry() instanceof AuditRecord r)
                    || r.outcome() == Outcome.STREAM_STARTED
                    || r.tenant().startsWith("~")) {
                continue;
            }
            boolean blocked = r.outcome() == Outcome.BLOCKED_INPUT || r.outcome() == Outcome.CUT_OUTPUT;
            List<String> bypassed = new ArrayList<>();
            if (!blocked) {
                for (ClassifierVerdict v : r.verdicts()) {
                    if (v.status() != Verdict.Status.OK) {
                        bypassed.add(v.name() + " (" + v.status().name().toLowerCase() + ")");
                    }
                }
            }
            List<String> categories = r.categories().isEmpty() ? List.of(NO_CATEGORY) : r.categories();
            batch.add(new Seen(now, r.tenant(), blocked, categories, bypassed));
        }
        if (!batch.isEmpty()) {
            synchronized (seen) {
                seen.addAll(batch);
            }
        }
    }

    /** A verification found a broken link: fires {@code chain_verify_failure} (also when verified by hand). */
    public void chainBroken(ChainVerifier.BrokenLink link) {
        this.broken = link;
    }

    /** Every chain verified intact: the chain alert stops firing. */
    public void chainsIntact() {
        this.broken = null;
    }

    /** Finds what fires, sends what was not sent within the de-duplication window; returns what was sent. */
    public synchronized List<Alert> evaluate() {
        Instant now = clock.instant();
        List<Alert> firing = firing(now);
        List<Alert> delivered = new ArrayList<>();
        sent.values().removeIf(at -> at.plus(rules.deduplication()).isBefore(now));
        for (Alert a : firing) {
            Instant last = sent.get(a.key());
            if (last != null && !last.plus(rules.deduplication()).isBefore(now)) {
                continue;
            }
            try {
                sink.send(a);
                sent.put(a.key(), now);
                delivered.add(a);
                log.warn("ALERT {} sent: {}", a.key(), a.summary());
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                log.error(
                        "alert {} could not be delivered (tried again at the next evaluation): {}",
                        a.key(),
                        e.toString());
            }
        }
        return delivered;
    }

    /** What fires now, whether sent before or not. */
    List<Alert> firing(Instant now) {
        Instant from = now.minus(rules.window());
        Map<String, Long> total = new TreeMap<>();
        Map<String, Map<String, Long>> blocked = new TreeMap<>();
        Map<String, List<String>> bypasses = new TreeMap<>();
        synchronized (seen) {
            while (!seen.isEmpty() && seen.peekFirst().time().isBefore(from)) {
                seen.pollFirst();
            }
            for (Seen s : seen) {
                total.merge(s.tenant(), 1L, Long::sum);
                if (s.blocked()) {
                    for (String c : s.categories()) {
                        blocked.computeIfAbsent(s.tenant(), t -> new TreeMap<>())
                                .merge(c, 1L, Long::sum);
                    }
                }
                if (!s.bypassed().isEmpty()) {
                    bypasses.computeIfAbsent(s.tenant(), t -> new ArrayList<>()).addAll(s.bypassed());
                }
            }
        }
        List<Alert> alerts = new ArrayList<>();
        String window = human(rules.window());
        blocked.forEach((tenant, byCategory) -> byCategory.forEach((category, n) -> {
            double rate = (double) n / total.get(tenant);
            if (n >= rules.minimumBlocked() && rate >= rules.blockRate()) {
                alerts.add(new Alert(
                        "block_rate_spike/" + tenant + "/" + category,
                        "block_rate_spike",
                        Alert.Severity.WARNING,
                        String.format(
                                java.util.Locale.ROOT,
                                "tenant %s: %d of %d requests (%.0f%%) blocked for %s in the last %s (threshold %.0f%%)",
                                tenant,
                                n,
                                total.get(tenant),
                                rate * 100,
                                category,
                                window,
                                rules.blockRate() * 100),
                        labels(
                                "tenant",
                                tenant,
                                "category",
                                category,
                                "blocked",
                                String.valueOf(n),
                                "requests",
                                String.valueOf(total.get(tenant))),
                        now));
            }
        }));
        bypasses.forEach((tenant, which) -> alerts.add(new Alert(
                "fail_open_bypass/" + tenant,
                "fail_open_bypass",
                Alert.Severity.CRITICAL,
                "tenant " + tenant + ": " + which.size() + " request(s) passed unjudged in the " + "last " + window
                        + " (fails open; bypassed: " + String.join(", ", distinct(which)) + ")",
                labels("tenant", tenant, "bypasses", String.valueOf(which.size())),
                now)));
        spill(now).ifPresent(alerts::add);
        ChainVerifier.BrokenLink b = broken;
        if (b != null) {
            alerts.add(new Alert(
                    "chain_verify_failure/" + b.tenant() + "/" + b.instance(),
                    "chain_verify_failure",
                    Alert.Severity.CRITICAL,
                    "audit chain " + b.chain() + " is broken at seq " + b.seq() + " (request " + b.requestId() + "): "
                            + b.reason(),
                    labels("tenant", b.tenant(), "instance", b.instance(), "seq", String.valueOf(b.seq())),
                    now));
        }
        return alerts;
    }

    /** Fires while records wait in the spill file, and when records were spilled or lost since the last look. */
    private Optional<Alert> spill(Instant now) {
        AuditLog.Stats stats = auditStats.get();
        boolean spilledMore = spilledAtLastLook >= 0 && stats.spilled() > spilledAtLastLook;
        boolean lostMore = lostAtLastLook >= 0 && stats.lost() > lostAtLastLook;
        spilledAtLastLook = stats.spilled();
        lostAtLastLook = stats.lost();
        if (!stats.spillPending() && !spilledMore && !lostMore) {
            return Optional.empty();
        }
        return Optional.of(new Alert(
                "audit_spill",
                "audit_spill",
                Alert.Severity.CRITICAL,
                "the audit store is unavailable: " + stats.spilled() + " record(s) spilled to the local file since "
                        + "start" + (stats.lost() > 0 ? ", " + stats.lost() + " LOST" : "")
                        + (stats.accepting() ? "" : "; the gateway refuses requests until it can record them again"),
                labels("spilled", String.valueOf(stats.spilled()), "lost", String.valueOf(stats.lost())),
                now));
    }

    private static List<String> distinct(List<String> values) {
        return values.stream().distinct().sorted().toList();
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String human(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
