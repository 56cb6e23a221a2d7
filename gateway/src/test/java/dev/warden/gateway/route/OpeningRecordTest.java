package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.HeldOpeningRecords;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.tenant.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AuditTrail#started}: a stream's first chunk waits for the opening record, but once the record is durable
 * nothing waits and no thread is woken for it; a chunk that did wait goes on on a {@code parallel} worker, never on
 * the audit writer thread. The store is the real SQLite one behind a fault injector that holds opening records
 * until the test lets them through.
 */
@Timeout(60)
class OpeningRecordTest {

    private static final StageFixture FIXTURE = new StageFixture();
    private static volatile CountDownLatch openingRecords = new CountDownLatch(0);
    private static final AuditLog LOG = heldLog();
    private static final AuditTrail AUDIT = new AuditTrail(
            LOG,
            FIXTURE.guards.redactor(),
            FingerprintKey.ofBase64(Base64.getEncoder().encodeToString(new byte[32])),
            FIXTURE.metrics,
            true);

    @AfterAll
    static void close() {
        openingRecords.countDown();
        LOG.close();
        FIXTURE.close();
    }

    @Test
    void onceTheRecordIsDurableEachChunkGoesOnAtOnceOnItsOwnThread() {
        AtomicReference<Thread> after = new AtomicReference<>();
        var opened = AUDIT.started(record("req_durable"));
        opened.block(Duration.ofSeconds(20));

        opened.doOnSuccess(v -> after.set(Thread.currentThread())).block(Duration.ofSeconds(5));

        assertThat(after.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void aChunkThatWaitsForTheRecordGoesOnOnAParallelWorkerOnceItIsDurable() {
        CountDownLatch held = new CountDownLatch(1);
        openingRecords = held;
        AtomicReference<Thread> after = new AtomicReference<>();
        try {
            var opened = AUDIT.started(record("req_held"));
            opened.doOnSuccess(v -> after.set(Thread.currentThread())).subscribe();

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> after.get() == null);
            held.countDown();

            await().atMost(Duration.ofSeconds(20)).until(() -> after.get() != null);
            assertThat(after.get().getName()).startsWith("parallel-");
        } finally {
            held.countDown();
        }
    }

    private static CallRecord record(String id) {
        Principal principal = FIXTURE.principal(FIXTURE.keys.localKey);
        return new CallRecord(id, principal)
                .model("bench-model")
                .purpose("chat")
                .operation("chat")
                .prompt("Count for me")
                .streaming(true, "hold_back");
    }

    /** An audit log on its own SQLite file whose store holds a stream's opening record while the test says so. */
    private static AuditLog heldLog() {
        try {
            Path dir = Files.createTempDirectory("warden-opening");
            AuditStore real = AuditStores.open(dir.resolve("audit.db").toString());
            AuditStore held = HeldOpeningRecords.holding(real, () -> openingRecords);
            return new AuditLog(held, AuditLogConfig.defaults().withSpillFile(dir.resolve("spill.jsonl")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
