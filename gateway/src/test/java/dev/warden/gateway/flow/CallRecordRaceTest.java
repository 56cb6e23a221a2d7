package dev.warden.gateway.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threads that really touch one streaming request's record at once: window checks recording output verdicts
 * (guard threads), chunks being released (engine thread), a tool-call check, and the two endings that race at
 * the end of a stream, the client's cancellation and the stream's completion. Nothing they write may be lost, and
 * the request is recorded exactly once.
 */
class CallRecordRaceTest {

    private static final TenantDirectory EXAMPLE = TenantDirectory.load(
            Path.of("../config/tenants.example.yaml"), LicenceCatalog.load(Path.of("../config/licences")));

    private static final int ROUNDS = 200;
    private static final int CHUNKS = 500;
    private static final int WINDOWS = 50;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void windowCallbacksToolChecksCancellationAndCompletionLoseNothingAndRecordOnce() throws Exception {
        Tenant acme = EXAMPLE.tenant("acme").orElseThrow();
        Principal principal = new Principal(acme, acme.keys().get(0));
        FingerprintKey fingerprints =
                FingerprintKey.ofBase64(java.util.Base64.getEncoder().encodeToString(new byte[32]));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CallRecord record =
                        new CallRecord("req_" + round, principal).model("m").prompt("p");
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger recorded = new AtomicInteger();
                List<Future<?>> work = new ArrayList<>();
                work.add(pool.submit(() -> {
                    await(go);
                    for (int i = 0; i < CHUNKS; i++) {
                        record.released("x", 1);
                    }
                }));
                work.add(pool.submit(() -> {
                    await(go);
                    for (int i = 0; i < WINDOWS; i++) {
                        record.guarded(
                                Direction.OUTPUT,
                                List.of(verdict("window")),
                                decision(Action.ALLOW),
                                Duration.ofNanos(1));
                    }
                }));
                work.add(pool.submit(() -> {
                    await(go);
                    record.guarded(
                            Direction.OUTPUT, List.of(verdict("tools")), decision(Action.BLOCK), Duration.ofNanos(1));
                    record.ruleOnly("tool call withheld");
                }));
                // the two endings: whichever wins records, the other must find it recorded
                for (int ending = 0; ending < 2; ending++) {
                    work.add(pool.submit(() -> {
                        await(go);
                        if (record.markRecorded()) {
                            recorded.incrementAndGet();
                        }
                    }));
                }
                go.countDown();
                for (Future<?> f : work) {
                    f.get(30, TimeUnit.SECONDS);
                }

                assertThat(recorded.get())
                        .as("round %d: recorded exactly once", round)
                        .isEqualTo(1);
                assertThat(record.responseText()).hasSize(CHUNKS);
                AuditRecord audit = record.toAudit(Outcome.CLIENT_ABORT, 499, false, s -> s, fingerprints);
                assertThat(audit.tokensReleased()).isEqualTo(CHUNKS);
                assertThat(audit.verdicts()).hasSize(WINDOWS + 1);
                assertThat(record.action())
                        .as("the block of the tool-call check is the strictest")
                        .isEqualTo("block");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Verdict verdict(String classifier) {
        return Verdict.ok(classifier, "1", Map.of("S1", 0.1), Duration.ofNanos(1));
    }

    private static Decision decision(Action action) {
        return new Decision("acme", Direction.OUTPUT, action, List.of(), "rule-" + action.lowerCase(), List.of());
    }
}
