package dev.warden.policy.audit;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Realistic audit records for tests and the benchmark. */
public final class Records {

    public static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    private Records() {}

    /** Record {@code i}: every 5th blocked on S1 by llama-guard, every 7th flagged for jailbreak; one second apart. */
    public static AuditRecord record(String tenant, int i) {
        return record(tenant, "r-" + tenant + "-" + i, T0.plusSeconds(i), i);
    }

    public static AuditRecord record(String tenant, String requestId, Instant time, int i) {
        boolean blocked = i % 5 == 0;
        boolean jailbreak = i % 7 == 0;
        Verdict llamaGuard = Verdict.ok(
                "llama-guard",
                "3-1b",
                blocked ? Map.of("unsafe", 0.97, "S1", 0.91) : Map.of("unsafe", 0.02),
                Duration.ofMillis(40 + i % 10));
        Verdict promptGuard = Verdict.ok(
                "prompt-guard",
                "86m",
                Map.of("jailbreak", jailbreak ? 0.99 : 0.01, "injection", 0.0),
                Duration.ofMillis(8));
        AuditRecord.Builder b = AuditRecord.builder(requestId, tenant)
                .time(time)
                .keyId("key-" + (i % 3))
                .model(i % 2 == 0 ? "llama-3.1-8b" : "llama-3.1-70b")
                .purpose("support")
                .outcome(blocked ? Outcome.BLOCKED_INPUT : jailbreak ? Outcome.CUT_OUTPUT : Outcome.ALLOWED)
                .verdict(ClassifierVerdict.of(Direction.INPUT, promptGuard))
                .verdict(ClassifierVerdict.of(Direction.INPUT, llamaGuard))
                .decision(blocked ? "BLOCK" : jailbreak ? "REDACT" : "ALLOW", blocked ? "category.S1.block" : "default")
                .streaming(i % 3 == 0, blocked ? 0 : 17)
                .usage(120 + i, blocked ? 0 : 30)
                .latencies(new AuditRecord.Latencies(
                        Duration.ofMillis(300), Duration.ofMillis(48), Duration.ofMillis(240), Duration.ofMillis(12)))
                .httpStatus(blocked ? 400 : 200)
                .fingerprint("prompt " + i, blocked ? null : "response " + i);
        if (i % 4 == 1) {
            b.content("prompt, \"quoted\"\nwith [REDACTED-EMAIL] " + i, "response " + i);
        }
        return b.build();
    }

    public static List<String> expectedCategories(int i) {
        if (i % 5 == 0 && i % 7 == 0) {
            return List.of("S1", "jailbreak", "unsafe");
        }
        if (i % 5 == 0) {
            return List.of("S1", "unsafe");
        }
        return i % 7 == 0 ? List.of("jailbreak") : List.of();
    }
}
