package dev.warden.gateway.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 15: a batch survives kill -9. A gateway in its own JVM runs a six-line batch one line at a time; the upstream
 * answers three lines and holds the fourth; the gateway gets SIGKILL with that line in flight. A new gateway on the
 * same data directory takes the batch up again and completes it: every line is in the output exactly once, none
 * lost, none twice; the expiries the client chose for the upload and for the output are kept across the kill.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BatchSurvivesKillTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int LINES = 6;

    @Test
    void aBatchKilledMidWayResumesAfterARestartAndEveryLineIsInTheOutputExactlyOnce() throws Exception {
        TestTenants tenants = TestTenants.create();
        Path data = tenants.dir.resolve("data");
        String input = IntStream.rangeClosed(1, LINES)
                .mapToObj(i -> JSON.writeValueAsString(Map.of(
                                "custom_id",
                                "line-" + i,
                                "method",
                                "POST",
                                "url",
                                "/v1/chat/completions",
                                "body",
                                Map.of(
                                        "model",
                                        "batch-model",
                                        "max_tokens",
                                        8,
                                        "messages",
                                        List.of(Map.of("role", "user", "content", "Say the number " + i + ".")))))
                        + "\n")
                .reduce("", String::concat);
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()) {
            upstream.enqueue(ScriptedReply.text("one"), ScriptedReply.text("two"), ScriptedReply.text("three"))
                    .always(ScriptedReply.hang());
            String batchId;
            String fileId;
            long fileExpiresAt;
            try (GatewayProcess first = GatewayProcess.start(
                    "batch-kill-1", GatewayProcess.freePort(), properties(tenants, data, upstream))) {
                OpenAIClient client = client(first, tenants);
                FileObject uploaded = client.files()
                        .create(FileCreateParams.builder()
                                .purpose(FilePurpose.BATCH)
                                .file(input.getBytes(StandardCharsets.UTF_8))
                                .expiresAfter(FileCreateParams.ExpiresAfter.builder()
                                        .seconds(7200)
                                        .build())
                                .build());
                fileId = uploaded.id();
                fileExpiresAt = uploaded.expiresAt().orElseThrow();
                batchId = client.batches()
                        .create(BatchCreateParams.builder()
                                .inputFileId(fileId)
                                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                                .outputExpiresAfter(BatchCreateParams.OutputExpiresAfter.builder()
                                        .seconds(86_400)
                                        .build())
                                .build())
                        .id();

                // Three lines answered and durable, the fourth held at the upstream: kill now.
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> upstream.generationRequests() == 4
                                && client.batches()
                                                .retrieve(batchId)
                                                .requestCounts()
                                                .orElseThrow()
                                                .completed()
                                        == 3);
                first.kill();
                client.close();
            }
            Path part = data.resolve("batches").resolve(batchId + ".output.part");
            assertThat(Files.readAllLines(part))
                    .as("results durable before the kill")
                    .hasSize(3);

            upstream.reset();
            upstream.always(ScriptedReply.text("after restart"));
            try (GatewayProcess second = GatewayProcess.start(
                    "batch-kill-2", GatewayProcess.freePort(), properties(tenants, data, upstream))) {
                OpenAIClient client = client(second, tenants);
                Batch done = await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(100))
                        .until(
                                () -> client.batches().retrieve(batchId),
                                b -> b.status().equals(Batch.Status.COMPLETED)
                                        || b.status().equals(Batch.Status.FAILED));

                assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
                assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(LINES);
                assertThat(done.requestCounts().orElseThrow().failed()).isZero();
                assertThat(done.errorFileId()).isEmpty();
                String output;
                try (HttpResponse content =
                                client.files().content(done.outputFileId().orElseThrow());
                        InputStream body = content.body()) {
                    output = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                }
                List<String> ids = Arrays.stream(output.split("\n"))
                        .filter(l -> !l.isBlank())
                        .map(l -> JSON.readTree(l).path("custom_id").asString())
                        .toList();
                assertThat(ids)
                        .as("every line exactly once")
                        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, LINES)
                                .mapToObj(i -> "line-" + i)
                                .toList());
                assertThat(upstream.generationRequests())
                        .as("only the lines without a result ran again")
                        .isEqualTo(LINES - 3);
                // expiries chosen before the kill hold after it: the upload's, and the batch's for its output
                assertThat(client.files().retrieve(fileId).expiresAt()).contains(fileExpiresAt);
                FileObject outputFile =
                        client.files().retrieve(done.outputFileId().orElseThrow());
                assertThat(outputFile.expiresAt()).contains(outputFile.createdAt() + 86_400);
                client.close();
            }
        }
    }

    private static Map<String, String> properties(TestTenants tenants, Path data, ScriptedOpenAiServer upstream) {
        return Map.of(
                "warden.tenants-file", tenants.file.toString(),
                "warden.licences-dir",
                        TestTenants.CONFIG.resolve("licences").toAbsolutePath().toString(),
                "warden.data-dir", data.toString(),
                "warden.models[0].name", "batch-model",
                "warden.models[0].engine", "remote",
                "warden.models[0].remote.urls[0]", upstream.baseUrl(),
                "warden.models[0].remote.upstream-model", "upstream-model",
                "warden.models[0].remote.health-interval", "0s",
                // One line at a time, so that the line in flight at the kill is known.
                "warden.batch.max-concurrent-lines", "1",
                "logging.level.root", "WARN");
    }

    /** Tenant lenient fails open: a classifier's cold first call missing its deadline must not refuse a line. */
    private static OpenAIClient client(GatewayProcess gateway, TestTenants tenants) {
        return OpenAIOkHttpClient.builder()
                .apiKey(tenants.lenientKey)
                .baseUrl(gateway.baseUrl() + "/v1")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }
}
