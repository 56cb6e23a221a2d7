package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams start at once, whatever the mode: an upstream that streams slowly (20 ms a chunk) and then parks behind
 * a gate until the test lets it finish. Whatever reaches the client before the gate opens reached it before the
 * upstream had sent its last chunk; no test here measures time.
 */
class StreamStartTest extends GatewayTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String STREAM = "{\"model\": \"test-model\", \"stream\": true, "
            + "\"messages\": [{\"role\": \"user\", \"content\": \"count slowly for me\"}]}";
    static final int PIECES = 20;

    static ScriptedReply slowPieces(int holdAfter, ScriptedGate gate) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < PIECES; i++) {
            pieces.add("w" + i + " ");
        }
        return ScriptedReply.pieces(pieces.toArray(String[]::new))
                .chunkDelay(Duration.ofMillis(20))
                .holdAfter(holdAfter, gate);
    }

    static String allPieces() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < PIECES; i++) {
            text.append("w").append(i).append(' ');
        }
        return text.toString();
    }

    private String key(String tenant) {
        return switch (tenant) {
            case "local" -> TENANTS.localKey;
            case "holdback" -> TENANTS.holdbackKey;
            case "playground" -> TENANTS.playgroundKey;
            case "buffered" -> TENANTS.bufferedKey;
            default -> throw new IllegalArgumentException(tenant);
        };
    }

    /** {@code local}: the defaults (hold-back, embedded and rule classifiers on the output); the others: small windows. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "holdback", "playground"})
    void theFirstWordsReachTheClientBeforeTheUpstreamHasSentItsLastChunk(String tenant) throws Exception {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(slowPieces(5, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (OpenStream stream = OpenStream.post(baseUrl(), key(tenant), STREAM)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("content-type").orElse(""))
                    .startsWith("text/event-stream");
            String first = stream.nextContent();

            assertThat(first).isEqualTo("w0 ");
            assertThat(UPSTREAM.completedResponses()).isEqualTo(completedBefore);

            gate.release();
            StreamModerationTest.Sse rest = StreamModerationTest.Sse.parse(stream.rest());
            assertThat(first + rest.text()).isEqualTo(allPieces());
            assertThat(rest.finishChoice().path("finish_reason").asString()).isEqualTo("stop");
            assertThat(rest.done()).isTrue();
        } finally {
            gate.release();
        }
    }

    @Test
    void bufferSendsStatusAndHeadersBeforeTheUpstreamHasSentItsLastChunkAndTheTextAfterIt() throws Exception {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(slowPieces(5, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (OpenStream stream = OpenStream.post(baseUrl(), key("buffered"), STREAM)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("x-warden-stream-mode"))
                    .contains("buffer");
            assertThat(stream.nextLine()).isEqualTo(": keep-alive");
            assertThat(UPSTREAM.completedResponses()).isEqualTo(completedBefore);

            gate.release();
            StreamModerationTest.Sse all = StreamModerationTest.Sse.parse(stream.rest());
            assertThat(all.text()).isEqualTo(allPieces());
            assertThat(all.done()).isTrue();
        } finally {
            gate.release();
        }
    }

    /** n > 1 from the in-process engine in hold-back: each choice is moderated on its own and streamed. */
    @Test
    void eachOfSeveralChoicesFromTheInProcessEngineIsModeratedAndStreamed() throws Exception {
        String body = "{\"model\": \"" + TINY_MODEL + "\", \"stream\": true, \"n\": 2, \"max_tokens\": 12, "
                + "\"seed\": 3, \"stream_options\": {\"include_usage\": true}, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"What is the capital of France?\"}]}";

        try (OpenStream stream = OpenStream.post(baseUrl(), key("holdback"), body)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            StreamModerationTest.Sse sse = StreamModerationTest.Sse.parse(stream.rest());
            for (int choice = 0; choice < 2; choice++) {
                int index = choice;
                assertThat(sse.events())
                        .as("role of choice %d", index)
                        .anyMatch(e -> e.path("choices").path(0).path("index").asInt() == index
                                && e.path("choices").path(0).path("delta").has("role"));
                assertThat(sse.events())
                        .as("finish of choice %d", index)
                        .anyMatch(e -> e.path("choices").path(0).path("index").asInt() == index
                                && !e.path("choices")
                                        .path(0)
                                        .path("finish_reason")
                                        .isNull()
                                && !e.path("choices")
                                        .path(0)
                                        .path("finish_reason")
                                        .isMissingNode());
            }
            assertThat(sse.text()).isNotEmpty();
            assertThat(sse.usage().path("completion_tokens").asInt()).isPositive();
            assertThat(sse.done()).isTrue();
        }
    }

    /** A stream read line by line as it arrives; every wait is bounded. */
    static final class OpenStream implements AutoCloseable {

        private static final HttpClient CLIENT = HttpClient.newHttpClient();
        final HttpResponse<Stream<String>> response;
        private final Iterator<String> lines;
        private final StringBuilder read = new StringBuilder();

        private OpenStream(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.lines = response.body().iterator();
        }

        static OpenStream post(String baseUrl, String key, String body) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            // send returns once the status and headers are in, however long the body takes
            return new OpenStream(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .get(20, TimeUnit.SECONDS));
        }

        /** The next line, waiting at most 20 s; null at the end of the body. */
        String nextLine() throws Exception {
            return CompletableFuture.supplyAsync(() -> lines.hasNext() ? lines.next() : null)
                    .get(20, TimeUnit.SECONDS);
        }

        /** Reads up to the first event with text and returns that text. */
        String nextContent() throws Exception {
            for (String line = nextLine(); line != null; line = nextLine()) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode event = JSON.readTree(line.substring(6));
                for (JsonNode choice : event.path("choices")) {
                    String text = choice.path("delta").path("content").asString("");
                    if (!text.isEmpty()) {
                        return text;
                    }
                }
            }
            throw new AssertionError("the stream ended without text");
        }

        /** The rest of the body, to its end. */
        String rest() throws Exception {
            for (String line = nextLine(); line != null; line = nextLine()) {
                read.append(line).append('\n');
            }
            return read.toString();
        }

        @Override
        public void close() {
            response.body().close();
        }
    }
}
