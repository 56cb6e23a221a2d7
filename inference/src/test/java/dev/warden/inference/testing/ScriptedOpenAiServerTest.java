package dev.warden.inference.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Timeout(60) // seconds-long waits at most, per test
class ScriptedOpenAiServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ScriptedOpenAiServer server = ScriptedOpenAiServer.start();
    private final HttpClient client = HttpClient.create().baseUrl(server.baseUrl());

    @AfterEach
    void stop() {
        server.close();
    }

    private String post(String path, String body) {
        return client.headers(h -> h.add("authorization", "Bearer up-key"))
                .post()
                .uri(path)
                .send(ByteBufFlux.fromString(Mono.just(body)))
                .responseContent()
                .aggregate()
                .asString()
                .block(WAIT);
    }

    @Test
    void answersChatAsJsonAndRecordsTheRequest() {
        server.enqueue(ScriptedReply.text("Hi there friend").usage(7, 3));
        JsonNode reply = JSON.readTree(post(
                "/v1/chat/completions", "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"));

        assertThat(reply.path("object").asString()).isEqualTo("chat.completion");
        assertThat(reply.path("model").asString()).isEqualTo("up");
        assertThat(reply.path("choices").path(0).path("message").path("content").asString())
                .isEqualTo("Hi there friend");
        assertThat(reply.path("choices").path(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(reply.path("usage").path("total_tokens").asInt()).isEqualTo(10);
        ScriptedRequest seen = server.lastGenerationRequest();
        assertThat(seen.path()).isEqualTo("/v1/chat/completions");
        assertThat(seen.header("Authorization")).isEqualTo("Bearer up-key");
        assertThat(seen.json().path("messages").path(0).path("content").asString())
                .isEqualTo("hello");
    }

    @Test
    void streamsChatPiecesThenFinishUsageAndDone() {
        server.enqueue(ScriptedReply.text("one two three"));
        String sse = post(
                "/v1/chat/completions",
                "{\"model\":\"up\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

        List<String> events = List.of(sse.split("\n\n"));
        assertThat(events).hasSize(6).allMatch(e -> e.startsWith("data: "));
        assertThat(events.get(0)).contains("\"role\":\"assistant\"", "\"content\":\"one \"");
        assertThat(events.get(3)).contains("\"finish_reason\":\"stop\"");
        assertThat(events.get(4)).contains("\"choices\":[]", "\"completion_tokens\":3");
        assertThat(events.get(5)).isEqualTo("data: [DONE]");
    }

    @Test
    void streamsToolCallArgumentsInFragments() {
        server.enqueue(
                ScriptedReply.pieces().toolCalls(new ScriptedToolCall("call_1", "lookup", "{\"q\":\"weather\"}")));
        String sse = post("/v1/chat/completions", "{\"model\":\"up\",\"stream\":true,\"messages\":[]}");

        assertThat(sse)
                .contains("\"id\":\"call_1\"", "\"name\":\"lookup\"", "\"finish_reason\":\"tool_calls\"")
                .doesNotContain("\"usage\"");
        StringBuilder args = new StringBuilder();
        for (String event : sse.split("\n\n")) {
            if (!event.equals("data: [DONE]")) {
                JsonNode tc = JSON.readTree(event.substring(6))
                        .path("choices")
                        .path(0)
                        .path("delta")
                        .path("tool_calls");
                args.append(tc.path(0).path("function").path("arguments").asString(""));
            }
        }
        assertThat(args.toString()).isEqualTo("{\"q\":\"weather\"}");
    }

    @Test
    void holdsAfterTheFirstEventUntilReleased() {
        ScriptedGate gate = new ScriptedGate();
        server.enqueue(ScriptedReply.text("first second").holdAfter(1, gate));
        List<String> received = new CopyOnWriteArrayList<>();
        Disposable sub = client.post()
                .uri("/v1/completions")
                .send(ByteBufFlux.fromString(Mono.just("{\"model\":\"up\",\"prompt\":\"p\",\"stream\":true}")))
                .responseContent()
                .asString()
                .subscribe(received::add);

        assertThat(gate.awaitReached(WAIT)).isTrue();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(2)).until(() -> !received.isEmpty());
        assertThat(String.join("", received)).contains("\"text\":\"first \"").doesNotContain("second");
        gate.release();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(2)).until(() -> String.join("", received)
                .contains("[DONE]"));
        assertThat(String.join("", received)).contains("\"text\":\"second\"", "[DONE]");
        sub.dispose();
    }

    @Test
    void diesMidStreamWithoutAChunkedEnd() {
        server.enqueue(ScriptedReply.text("a b c d").dieAfter(2));
        List<String> received = new CopyOnWriteArrayList<>();
        Mono<String> call = client.post()
                .uri("/v1/chat/completions")
                .send(ByteBufFlux.fromString(Mono.just("{\"model\":\"up\",\"stream\":true,\"messages\":[]}")))
                .responseContent()
                .asString()
                .doOnNext(received::add)
                .then(Mono.just("ended"));

        assertThatThrownBy(() -> call.block(WAIT)).hasMessageContaining("Connection prematurely closed");
        assertThat(String.join("", received)).contains("\"content\":\"b \"").doesNotContain("\"content\":\"c \"");
    }

    @Test
    void refusesByClosingTheConnection() {
        server.enqueue(ScriptedReply.refuse());
        assertThatThrownBy(() -> post("/v1/chat/completions", "{\"model\":\"up\",\"messages\":[]}"))
                .hasMessageContaining("Connection prematurely closed BEFORE response");
        assertThat(server.generationRequests()).isEqualTo(1);
    }

    @Test
    void answersScriptedErrorsInOpenAiShape() {
        server.enqueue(ScriptedReply.error(503, "busy"));
        var status = client.post()
                .uri("/v1/chat/completions")
                .send(ByteBufFlux.fromString(Mono.just("{}")))
                .responseSingle(
                        (res, body) -> body.asString().map(b -> res.status().code() + " " + b))
                .block(WAIT);
        assertThat(status).startsWith("503 ").contains("\"message\":\"busy\"", "\"type\":\"server_error\"");
    }

    @Test
    void seesTheClientAbandonAStream() {
        ScriptedGate gate = new ScriptedGate();
        server.enqueue(ScriptedReply.text("first second").holdAfter(1, gate));
        Disposable sub = client.post()
                .uri("/v1/chat/completions")
                .send(ByteBufFlux.fromString(Mono.just("{\"model\":\"up\",\"stream\":true,\"messages\":[]}")))
                .responseContent()
                .asString()
                .subscribe();
        assertThat(gate.awaitReached(WAIT)).isTrue();

        sub.dispose();

        assertThat(server.awaitConnectionsClosed(1, WAIT)).isTrue();
        assertThat(server.awaitAbortedResponses(1, WAIT)).isTrue();
    }

    @Test
    void listsModelsAndAnswersHealth() {
        server.models("a", "b").healthy(false);
        String models = client.get()
                .uri("/v1/models")
                .responseContent()
                .aggregate()
                .asString()
                .block(WAIT);
        Integer health = client.get()
                .uri("/health")
                .response()
                .map(r -> r.status().code())
                .block(WAIT);

        assertThat(JSON.readTree(models).path("data").path(1).path("id").asString())
                .isEqualTo("b");
        assertThat(health).isEqualTo(503);
        assertThat(server.healthChecks()).isEqualTo(1);
    }

    @Test
    void fastModeAnswersBothShapes() {
        try (ScriptedOpenAiServer fast = ScriptedOpenAiServer.startFast()) {
            HttpClient c = HttpClient.create().baseUrl(fast.baseUrl());
            String json = c.post()
                    .uri("/v1/chat/completions")
                    .send(ByteBufFlux.fromString(Mono.just("{\"stream\":false}")))
                    .responseContent()
                    .aggregate()
                    .asString()
                    .block(WAIT);
            String sse = c.post()
                    .uri("/v1/completions")
                    .send(ByteBufFlux.fromString(Mono.just("{\"stream\": true}")))
                    .responseContent()
                    .aggregate()
                    .asString()
                    .block(WAIT);
            assertThat(JSON.readTree(json)
                            .path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asString())
                    .isEqualTo("Hello from the fast upstream.");
            assertThat(sse)
                    .contains("\"object\":\"text_completion\"", "\"prompt_tokens\":8")
                    .endsWith("data: [DONE]\n\n");
        }
    }
}
