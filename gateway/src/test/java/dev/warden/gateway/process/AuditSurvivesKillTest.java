package dev.warden.gateway.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.ChainVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7: a client that received its answer can rely on the audit record, even when the gateway is killed with
 * SIGKILL a moment later. A gateway in its own JVM, writing its audit log to an SQLite file, serves chat requests
 * from 8 threads; it is killed mid-load; then the file is opened and every request whose whole 200 response
 * reached the client must have its record there, in chains that verify.
 */
@Tag("slow")
class AuditSurvivesKillTest {

    private static final int THREADS = 8;
    private static final String BODY = "{\"model\":\"audited-model\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hello.\"}],\"max_tokens\":16}";

    private volatile boolean killedWhileLocked;

    @Test
    void everyAnsweredRequestIsInTheAuditStoreAfterKillMinus9() throws Exception {
        TestTenants tenants = TestTenants.create();
        Path auditDb = tenants.dir.resolve("audit.db");
        // A short delay keeps requests in flight at every moment, so the kill lands in the middle of some.
        try (ScriptedOpenAiServer upstream =
                        ScriptedOpenAiServer.start().always(ScriptedReply.ok().firstByteDelay(Duration.ofMillis(30)));
                GatewayProcess gateway = GatewayProcess.start(
                        "audit-kill",
                        GatewayProcess.freePort(),
                        Map.of(
                                "warden.tenants-file", tenants.file.toString(),
                                "warden.licences-dir",
                                        TestTenants.CONFIG
                                                .resolve("licences")
                                                .toAbsolutePath()
                                                .toString(),
                                "warden.data-dir", tenants.dir.resolve("data").toString(),
                                "warden.audit.store", auditDb.toString(),
                                "warden.models[0].name", "audited-model",
                                "warden.models[0].engine", "remote",
                                "warden.models[0].remote.urls[0]", upstream.baseUrl(),
                                "warden.models[0].remote.upstream-model", "upstream-model",
                                "logging.level.root", "WARN"))) {

            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            Set<String> answered = ConcurrentHashMap.newKeySet();
            Set<String> cutOff = ConcurrentHashMap.newKeySet();
            Map<Integer, Integer> otherStatuses = new ConcurrentHashMap<>();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean killed = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<String> killedAfter =
                    new java.util.concurrent.atomic.AtomicReference<>();
            AtomicInteger answeredBeforeKill = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread worker = new Thread(
                        () -> {
                            try {
                                for (int n = 0; ; n++) {
                                    String id = "kill9-" + thread + "-" + n;
                                    HttpRequest request = HttpRequest.newBuilder(
                                                    URI.create(gateway.baseUrl() + "/v1/chat/completions"))
                                            .timeout(Duration.ofSeconds(30))
                                            .header("Content-Type", "application/json")
                                            .header("Authorization", "Bearer " + tenants.localKey)
                                            .header("x-request-id", id)
                                            .POST(HttpRequest.BodyPublishers.ofString(BODY))
                                            .build();
                                    boolean before = !killed.get();
                                    try {
                                        HttpResponse<String> r =
                                                client.send(request, HttpResponse.BodyHandlers.ofString());
                                        if (r.statusCode() == 200 && r.body().contains("\"choices\"")) {
                                            // The gateway's own request id, which its audit record has.
                                            answered.add(r.headers()
                                                    .firstValue("x-request-id")
                                                    .orElse(id));
                                            if (before) {
                                                answeredBeforeKill.incrementAndGet();
                                            }
                                            if (armed.compareAndSet(true, false)) {
                                                // The most demanding moment: right after an answer reached its client.
                                                killed.set(true);
                                                gateway.kill();
                                                killedAfter.set(id);
                                            }
                                        } else {
                                            otherStatuses.merge(r.statusCode(), 1, Integer::sum);
                                        }
                                    } catch (IOException e) {
                                        if (before) {
                                            cutOff.add(id);
                                        }
                                        if (killed.get()) {
                                            return;
                                        }
                                    }
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                done.countDown();
                            }
                        },
                        "load-" + t);
                threads.add(worker);
                worker.start();
            }

            // Load for a few seconds, with at least a good number of requests answered, then SIGKILL from the
            // load thread that receives the next answer.
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            long latest = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            await().atMost(Duration.ofSeconds(70))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() >= latest || (System.nanoTime() >= until && answered.size() >= 50));
            // Then make the store slow, as a busy disk or a long checkpoint would: this JVM takes SQLite's write
            // lock, so the gateway's writer waits (its busy timeout is 10 s). Answers must wait for their records
            // too; one that went out before its record was committed would be lost by the kill below.
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + auditDb);
                    Statement sql = lock.createStatement()) {
                sql.execute("BEGIN IMMEDIATE");
                armed.set(true);
                long holdUntil = System.nanoTime() + Duration.ofMillis(2500).toNanos();
                await().atMost(Duration.ofSeconds(10))
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> killed.get() || System.nanoTime() >= holdUntil);
                killedWhileLocked = killed.get();
                sql.execute("ROLLBACK");
            }
            assertThat(done.await(60, java.util.concurrent.TimeUnit.SECONDS))
                    .as("load threads stopped")
                    .isTrue();

            assertThat(otherStatuses).as("non-200 answers before the kill").isEmpty();
            assertThat(killedAfter.get()).as("killed by a load thread").isNotNull();
            assertThat(gateway.alive()).isFalse();
            assertThat(answeredBeforeKill.get()).isGreaterThanOrEqualTo(50);
            // How many requests the kill cut off is reported, not asserted: when every waiting answer is released in
            // one group commit, the kill can land between two requests of every load thread.

            List<String> missing = new ArrayList<>();
            List<String> verified = new ArrayList<>();
            try (AuditStore store = AuditStores.open(auditDb.toString())) {
                for (String id : answered) {
                    List<AuditRecord> found = store.query(
                                    AuditQuery.builder().requestId(id).limit(10).build())
                            .records();
                    if (found.isEmpty()) {
                        missing.add(id);
                    } else {
                        assertThat(found).hasSize(1);
                        assertThat(found.get(0).httpStatus()).isEqualTo(200);
                        assertThat(found.get(0).tenant()).isEqualTo("local");
                    }
                }
                for (ChainVerifier.Report report : new ChainVerifier(store).verifyAll()) {
                    assertThat(report.firstBroken())
                            .as("chain of tenant %s", report.tenant())
                            .isEmpty();
                    verified.add(report.tenant() + ":" + report.entriesChecked());
                }
            }
            System.out.printf(
                    "audit-kill: %d answered (%d before the kill, killed right after %s), %d cut off, "
                            + "missing %s, chains %s%n",
                    answered.size(),
                    answeredBeforeKill.get(),
                    killedAfter.get() + (killedWhileLocked ? " while the store was locked" : ""),
                    cutOff.size(),
                    missing,
                    verified);
            assertThat(missing)
                    .as("answered requests without an audit record (of %d answered)", answered.size())
                    .isEmpty();
            assertThat(verified).as("verified chains").isNotEmpty();
            assertThat(Files.exists(auditDb)).isTrue();
        }
    }
}
