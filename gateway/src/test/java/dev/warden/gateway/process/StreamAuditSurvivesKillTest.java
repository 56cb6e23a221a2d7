package dev.warden.gateway.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16: kill -9 during streams must not leave delivered tokens unrecorded. A gateway in its own JVM streams to
 * four clients in optimistic mode (tokens leave as they are made); the upstream holds every stream mid-way; once
 * each client has read tokens the gateway gets SIGKILL. Every stream's opening record must already be in the
 * store, and the next start of the same writer must record each of them as interrupted.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StreamAuditSurvivesKillTest {

    private static final int STREAMS = 4;
    private static final String INSTANCE = "stream-kill";
    private static final String BODY = "{\"model\":\"audited-model\",\"stream\":true,\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Count slowly.\"}]}";

    @Test
    void everyStreamCutByKillMinus9HasItsOpeningRecordAndIsRecordedAsInterruptedAtTheNextStart() throws Exception {
        TestTenants tenants = TestTenants.create();
        Path auditDb = tenants.dir.resolve("data").resolve("audit.db"); // the default store in the data dir
        ScriptedGate gate = new ScriptedGate();
        String[] words = IntStream.range(0, 40).mapToObj(i -> "w" + i + " ").toArray(String[]::new);
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()
                        .always(ScriptedReply.pieces(words).holdAfter(24, gate));
                GatewayProcess gateway = GatewayProcess.start(
                        "stream-kill",
                        GatewayProcess.freePort(),
                        Map.of(
                                "warden.tenants-file",
                                tenants.file.toString(),
                                "warden.licences-dir",
                                TestTenants.CONFIG
                                        .resolve("licences")
                                        .toAbsolutePath()
                                        .toString(),
                                "warden.data-dir",
                                tenants.dir.resolve("data").toString(),
                                "warden.audit.instance-id",
                                INSTANCE,
                                "warden.models[0].name",
                                "audited-model",
                                "warden.models[0].engine",
                                "remote",
                                "warden.models[0].remote.urls[0]",
                                upstream.baseUrl(),
                                "warden.models[0].remote.upstream-model",
                                "upstream-model",
                                // Not what this test is about: a 2 s probe at boot can time out on a loaded machine.
                                "warden.models[0].remote.health-interval",
                                "0s",
                                "logging.level.root",
                                "WARN"))) {

            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            List<CompletableFuture<String>> firstTokens = new ArrayList<>();
            List<HttpResponse<java.util.stream.Stream<String>>> responses = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + tenants.playgroundKey)
                        .POST(HttpRequest.BodyPublishers.ofString(BODY))
                        .build();
                HttpResponse<java.util.stream.Stream<String>> response =
                        client.send(request, HttpResponse.BodyHandlers.ofLines());
                assertThat(response.statusCode()).isEqualTo(200);
                responses.add(response);
                Iterator<String> lines = response.body().iterator();
                // Reads until a token of the answer has arrived: from here on, the client holds delivered text.
                firstTokens.add(CompletableFuture.supplyAsync(() -> {
                    while (lines.hasNext()) {
                        String line = lines.next();
                        if (line.startsWith("data: ") && line.contains("\"content\":\"w")) {
                            return line;
                        }
                    }
                    return null;
                }));
            }
            for (CompletableFuture<String> first : firstTokens) {
                assertThat(first.get(60, TimeUnit.SECONDS))
                        .as("a token reached the client")
                        .isNotNull();
            }

            gateway.kill();
            assertThat(gateway.alive()).isFalse();
            gate.release();
            responses.forEach(r -> r.body().close());
        }

        try (AuditStore store = AuditStores.open(auditDb.toString())) {
            List<AuditRecord> openings = store.query(AuditQuery.builder()
                            .tenant("playground")
                            .outcome(Outcome.STREAM_STARTED)
                            .build())
                    .records();
            assertThat(openings)
                    .as("opening records written before the first byte")
                    .hasSize(STREAMS)
                    .allSatisfy(r -> {
                        assertThat(r.streaming()).isTrue();
                        assertThat(r.promptSha256()).matches("[0-9a-f]{64}");
                    });
            assertThat(store.query(AuditQuery.builder().tenant("playground").build())
                            .records())
                    .as("no ending was written: the process was killed mid-stream")
                    .isEmpty();
            assertThat(store.unfinishedStreams(INSTANCE)).hasSize(STREAMS);

            // The next start of the same writer instance: what the gateway does when it comes back.
            AuditLogConfig config = AuditLogConfig.defaults()
                    .withInstanceId(INSTANCE)
                    .withSpillFile(tenants.dir.resolve("data").resolve("audit-spill.jsonl"));
            new AuditLog(store, config).close();

            List<AuditRecord> endings = store.query(
                            AuditQuery.builder().tenant("playground").build())
                    .records();
            assertThat(endings).hasSize(STREAMS).allSatisfy(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.INTERRUPTED);
                assertThat(r.rule()).contains("interrupted");
            });
            assertThat(endings)
                    .extracting(AuditRecord::requestId)
                    .containsExactlyInAnyOrderElementsOf(
                            openings.stream().map(AuditRecord::requestId).toList());
            assertThat(store.unfinishedStreams(INSTANCE)).isEmpty();
            assertThat(new ChainVerifier(store).verifyAll()).allMatch(ChainVerifier.Report::intact);
        }
    }
}
