package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.SqliteAuditStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

/**
 * A stream's headers leave at once, and its engine call goes out while the opening audit record is written, but no
 * generated text leaves before that record is durable. The audit store here is the real SQLite store behind a
 * fault injector that holds the opening record's write until the test lets it through.
 */
// A second application context: its audit log gets its own store, or two writers would fork one chain.
@TestPropertySource(
        properties = {
            "warden.guard.rules.enabled=false",
            "warden.guard.embedded.enabled=false",
            "warden.guard.code-security.enabled=false"
        })
class StreamOpeningRecordTest extends GatewayTest {

    /** Closed while the test holds opening records back; the audit writer thread waits on it (bounded). */
    private static volatile CountDownLatch openingRecords = new CountDownLatch(0);

    @TestConfiguration
    static class HeldStore {

        /** The real store, except that writing a stream's opening record waits for {@link #openingRecords}. */
        @Bean(destroyMethod = "close")
        @Primary
        AuditStore heldOpeningRecordStore() throws java.io.IOException {
            java.nio.file.Files.createDirectories(java.nio.file.Path.of("target/stream-opening-record-test"));
            AuditStore real = AuditStores.open(
                    "target/stream-opening-record-test/audit.db", null, null, SqliteAuditStore.Sync.FULL);
            return HeldOpeningRecords.holding(real, () -> openingRecords);
        }
    }

    @Test
    void headersAndTheEngineCallGoFirstButNoTextLeavesBeforeTheOpeningRecordIsDurable() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        openingRecords = held;
        UPSTREAM.enqueue(ScriptedReply.pieces("w0 ", "w1 ", "w2 "));
        int completedBefore = UPSTREAM.completedResponses();
        try (StreamStartTest.OpenStream stream =
                StreamStartTest.OpenStream.post(baseUrl(), TENANTS.localKey, StreamStartTest.STREAM)) {
            // the status and headers are in while the opening record is still held
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.nextLine()).isEqualTo(": keep-alive");
            // the engine call went out beside the record and has finished: the gateway holds all of its text
            await().atMost(Duration.ofSeconds(20)).until(() -> UPSTREAM.completedResponses() > completedBefore);
            AtomicLong textAt = new AtomicLong();
            CompletableFuture<String> firstText = CompletableFuture.supplyAsync(() -> {
                try {
                    String text = stream.nextContent();
                    textAt.set(System.nanoTime());
                    return text;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // held back as long as the record is not durable
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !firstText.isDone());

            long releasedAt = System.nanoTime();
            held.countDown();
            assertThat(firstText.get(20, TimeUnit.SECONDS)).isEqualTo("w0 ");
            assertThat(textAt.get()).isGreaterThan(releasedAt);
            StreamModerationTest.Sse rest = StreamModerationTest.Sse.parse(stream.rest());
            assertThat("w0 " + rest.text()).isEqualTo("w0 w1 w2 ");
            assertThat(rest.done()).isTrue();
        } finally {
            held.countDown();
        }
    }
}
