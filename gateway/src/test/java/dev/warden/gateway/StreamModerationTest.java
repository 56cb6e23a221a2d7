package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.Outcome;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Output moderation of streams in each mode, with the real content rules as the classifier: the scripted upstream
 * streams forty tokens with an API key at token 20, which the rules flag and policy will not let out on a stream.
 */
class StreamModerationTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "sk-proj-" + "Qw7Er9Ty2Ui4Op6As8Df1Gh3";
    private static final int SECRET_AT = 20;

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    private static ScriptedReply tokens(boolean withSecret) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pieces.add(withSecret && i == SECRET_AT ? SECRET + " " : "w" + i + " ");
        }
        return ScriptedReply.pieces(pieces.toArray(String[]::new)).usage(9, 40).chunkDelay(Duration.ofMillis(15));
    }

    private static final String STREAM = "{\"model\": \"test-model\", \"stream\": true, "
            + "\"stream_options\": {\"include_usage\": true}, "
            + "\"messages\": [{\"role\": \"user\", \"content\": \"count for me\"}]}";

    /** The events of a finished SSE body, without {@code [DONE]}, and whether {@code [DONE]} came. */
    record Sse(List<JsonNode> events, boolean done) {

        static Sse parse(String body) {
            List<JsonNode> events = new ArrayList<>();
            boolean done = false;
            for (String line : body.split("\n")) {
                if (line.startsWith("data: ")) {
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                    } else {
                        events.add(JSON.readTree(data));
                    }
                }
            }
            return new Sse(events, done);
        }

        String text() {
            StringBuilder text = new StringBuilder();
            for (JsonNode e : events) {
                for (JsonNode c : e.path("choices")) {
                    text.append(c.path("delta").path("content").asString(""));
                }
            }
            return text.toString();
        }

        JsonNode finishChoice() {
            for (JsonNode e : events) {
                for (JsonNode c : e.path("choices")) {
                    if (!c.path("finish_reason").isNull()
                            && !c.path("finish_reason").isMissingNode()) {
                        return c;
                    }
                }
            }
            return null;
        }

        JsonNode usage() {
            JsonNode last = events.get(events.size() - 1);
            return last.path("usage");
        }
    }

    /** The client's id of each stream and the request id the gateway gave it (the one its audit record has). */
    private final java.util.Map<String, String> gatewayIds = new java.util.concurrent.ConcurrentHashMap<>();

    private Sse stream(String key, ScriptedReply reply, String requestId) {
        UPSTREAM.enqueue(reply);
        Reply r = http.post("/v1/chat/completions", key, "application/json", STREAM, "x-request-id", requestId);
        gatewayIds.put(requestId, r.header("x-request-id"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/event-stream");
        return Sse.parse(r.body());
    }

    private AuditRecord auditOf(String requestId) {
        try (AuditStore store =
                AuditStores.open(TENANTS.dir.resolve("data").resolve("audit.db").toString())) {
            List<AuditEntry> entries = store
                    .query(AuditQuery.builder()
                            .requestId(gatewayIds.get(requestId))
                            .limit(10)
                            .build())
                    .entries()
                    .stream()
                    .map(e -> e.entry())
                    .toList();
            assertThat(entries).hasSize(1);
            return (AuditRecord) entries.get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void holdBackReleasesNothingOfTheFailingWindowAndCancelsTheGeneration() {
        int aborted = UPSTREAM.abortedResponses();
        String id = "hold-" + UUID.randomUUID();

        Sse sse = stream(TENANTS.holdbackKey, tokens(true), id);

        assertThat(sse.text()).doesNotContain("sk-proj").startsWith("w0 w1 ");
        // every token before the failing window's fresh part may go out, none from it
        assertThat(sse.text()).doesNotContain("w" + SECRET_AT + " ").doesNotContain("w21 ");
        JsonNode finish = sse.finishChoice();
        assertThat(finish.path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(finish.path("content_filter_results").path("categories").toString())
                .contains("secret.api_key");
        assertThat(sse.done()).isTrue();
        assertThat(UPSTREAM.awaitAbortedResponses(aborted + 1, Duration.ofSeconds(10)))
                .isTrue();
        AuditRecord record = auditOf(id);
        assertThat(record.outcome()).isEqualTo(Outcome.CUT_OUTPUT);
        assertThat(record.streaming()).isTrue();
        assertThat(record.tokensReleased()).isEqualTo(sse.text().split(" ").length);
        assertThat(record.rule()).contains("window");
        assertThat(record.content().response()).doesNotContain("sk-proj");
    }

    @Test
    void holdBackPassesACleanStreamWhole() {
        String id = "clean-" + UUID.randomUUID();

        Sse sse = stream(TENANTS.holdbackKey, tokens(false), id);

        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            expected.append("w").append(i).append(' ');
        }
        assertThat(sse.text()).isEqualTo(expected.toString());
        assertThat(sse.finishChoice().path("finish_reason").asString()).isEqualTo("stop");
        assertThat(sse.usage().path("completion_tokens").asInt()).isEqualTo(40);
        assertThat(sse.done()).isTrue();
        AuditRecord record = auditOf(id);
        assertThat(record.outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(record.tokensReleased()).isEqualTo(40);
        assertThat(record.usage().completion()).isEqualTo(40);
    }

    @Test
    void optimisticCutsWithinOneWindowOfTheViolation() {
        Sse sse = stream(TENANTS.playgroundKey, tokens(true), "opt-" + UUID.randomUUID());

        String text = sse.text();
        assertThat(sse.finishChoice().path("finish_reason").asString()).isEqualTo("content_filter");
        int released = text.isEmpty() ? 0 : text.trim().split(" ").length;
        // the playground tenant's windows are 8 tokens: the cut lands within one window after token 20
        assertThat(released).isLessThanOrEqualTo(SECRET_AT + 1 + 8);
        assertThat(text).doesNotContain("w39");
    }

    @Test
    void bufferSendsNothingOfAFailingResponse() {
        Sse sse = stream(TENANTS.bufferedKey, tokens(true), "buf-" + UUID.randomUUID());

        assertThat(sse.text()).isEmpty();
        assertThat(sse.finishChoice().path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(sse.done()).isTrue();
    }

    @Test
    void aStreamedRequestGetsTheSameInputGuarding() {
        UPSTREAM.enqueue(tokens(false));
        String body = "{\"model\": \"test-model\", \"stream\": true, \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"my key is " + SECRET + "\"}]}";

        Reply r = http.post("/v1/chat/completions", TENANTS.holdbackKey, "application/json", body);

        assertThat(r.status()).isEqualTo(200);
        assertThat(UPSTREAM.lastGenerationRequest()
                        .json()
                        .get("messages")
                        .get(0)
                        .get("content")
                        .asString())
                .doesNotContain(SECRET)
                .contains("[REDACTED:secret.api_key]");
    }

    @Test
    void aClientThatDisconnectsCancelsTheGeneration() throws Exception {
        int aborted = UPSTREAM.abortedResponses();
        UPSTREAM.enqueue(
                ScriptedReply.pieces(java.util.Collections.nCopies(200, "x ").toArray(String[]::new))
                        .chunkDelay(Duration.ofMillis(20)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TENANTS.playgroundKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                .build();
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            assertThat(in.read(new byte[64])).isPositive();
        }

        assertThat(UPSTREAM.awaitAbortedResponses(aborted + 1, Duration.ofSeconds(10)))
                .isTrue();
    }

    @Test
    void aToolCallWhoseArgumentsFailTheGuardIsWithheldFromAStream() {
        UPSTREAM.enqueue(ScriptedReply.pieces("Sending it now.")
                .toolCalls(new dev.warden.inference.testing.ScriptedToolCall(
                        "call_1", "send_credentials", "{\"token\": \"" + SECRET + "\"}")));

        Reply r = http.post("/v1/chat/completions", TENANTS.holdbackKey, "application/json", STREAM);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("sk-proj").doesNotContain("send_credentials");
        Sse sse = Sse.parse(r.body());
        assertThat(sse.finishChoice().path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(sse.done()).isTrue();
    }
}
