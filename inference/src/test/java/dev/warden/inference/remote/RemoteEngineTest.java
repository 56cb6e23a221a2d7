package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceException;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.inference.ToolDefinition;
import dev.warden.inference.Usage;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.inference.testing.ScriptedRequest;
import dev.warden.inference.testing.ScriptedToolCall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

/** The engine against a real HTTP upstream: request shape, reply parsing, streaming. */
class RemoteEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start();
    private final RemoteEngine engine = new RemoteEngine(
            RemoteEngineSettings.of("llama-served", "meta-llama/Llama-3.1-8B-Instruct", List.of(upstream.baseUrl()))
                    .withApiKey("upstream-secret")
                    .withHealth(RemoteEngineSettings.Health.disabled()));

    @AfterEach
    void stop() {
        engine.close();
        upstream.close();
    }

    @Test
    void chatForwardsTheClientBodyWithTheUpstreamModelAndKey() {
        upstream.enqueue(ScriptedReply.text("Paris is the capital.").usage(12, 4));

        Generation g = engine.chat(Requests.chat("Capital of France?", false)).block(WAIT);

        assertThat(g.model()).isEqualTo("llama-served");
        assertThat(g.choices()).singleElement().satisfies(c -> {
            assertThat(c.text()).isEqualTo("Paris is the capital.");
            assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
        });
        assertThat(g.usage()).isEqualTo(new Usage(12, 4));
        ScriptedRequest sent = upstream.lastGenerationRequest();
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("authorization")).isEqualTo("Bearer upstream-secret");
        JsonNode body = sent.json();
        assertThat(body.path("model").asString()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(body.path("user").asString()).isEqualTo("client-field-the-gateway-does-not-know");
        assertThat(body.path("stream").asBoolean()).isFalse();
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void chatDoesNotChangeTheClientsBody() {
        ChatRequest request = Requests.chat("hi", true);
        String before = request.body().toString();

        engine.streamChat(request).collectList().block(WAIT);

        assertThat(request.body().toString()).isEqualTo(before);
    }

    @Test
    void streamChatForcesUsageAndEmitsTextFinishThenUsage() {
        upstream.enqueue(ScriptedReply.pieces("Hel", "lo", " world").usage(5, 3));
        ChatRequest request = Requests.chatWithBody(
                "{\"model\":\"llama-served\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        List<StreamChunk> chunks = engine.streamChat(request).collectList().block(WAIT);

        assertThat(chunks).extracting(StreamChunk::text).containsExactly("Hel", "lo", " world", "", "");
        assertThat(chunks.get(3).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks.get(4).usage()).isEqualTo(new Usage(5, 3));
        assertThat(chunks.subList(0, 4)).allMatch(c -> c.usage() == null);
        JsonNode sent = upstream.lastGenerationRequest().json();
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
    }

    @Test
    void streamDeliversChunksWhileTheUpstreamIsStillGenerating() {
        ScriptedGate gate = new ScriptedGate();
        upstream.enqueue(ScriptedReply.pieces("first", " second").holdAfter(1, gate));
        List<StreamChunk> received = new CopyOnWriteArrayList<>();

        Disposable subscription = engine.streamChat(Requests.chat("go", true)).subscribe(received::add);
        try {
            assertThat(gate.awaitReached(WAIT)).isTrue();
            awaitUntil(() -> !received.isEmpty());
            assertThat(received).extracting(StreamChunk::text).containsExactly("first");

            gate.release();
            awaitUntil(() -> received.stream().anyMatch(c -> c.usage() != null));
            assertThat(received).extracting(StreamChunk::text).startsWith("first", " second");
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void streamedToolCallsArriveWholeWithTheFinishChunk() {
        upstream.enqueue(ScriptedReply.pieces()
                .toolCalls(
                        new ScriptedToolCall("call_a", "get_weather", "{\"city\":\"Oslo\",\"unit\":\"c\"}"),
                        new ScriptedToolCall("call_b", "get_time", "{\"tz\":\"Europe/Oslo\"}")));

        List<StreamChunk> chunks =
                engine.streamChat(Requests.chat("weather?", true)).collectList().block(WAIT);

        StreamChunk finish = chunks.stream()
                .filter(c -> c.finishReason() != null)
                .findFirst()
                .orElseThrow();
        assertThat(finish.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(finish.toolCalls())
                .containsExactly(
                        new ToolCall("call_a", "get_weather", "{\"city\":\"Oslo\",\"unit\":\"c\"}"),
                        new ToolCall("call_b", "get_time", "{\"tz\":\"Europe/Oslo\"}"));
        assertThat(chunks.stream().filter(c -> c.finishReason() == null))
                .allMatch(c -> c.toolCalls().isEmpty());
    }

    @Test
    void nonStreamedToolCallsAreParsed() {
        upstream.enqueue(ScriptedReply.pieces().toolCalls(new ScriptedToolCall("call_1", "lookup", "{\"q\":\"x\"}")));

        Generation g = engine.chat(Requests.chat("look it up", false)).block(WAIT);

        assertThat(g.choices().get(0).toolCalls()).containsExactly(new ToolCall("call_1", "lookup", "{\"q\":\"x\"}"));
        assertThat(g.choices().get(0).finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(g.choices().get(0).text()).isEmpty();
    }

    @Test
    void chatLogprobsAreParsedInStreamsAndWholeReplies() {
        upstream.always(ScriptedReply.pieces("a", "b"));
        ChatRequest request = Requests.chatWithBody("{\"model\":\"llama-served\",\"logprobs\":true,\"top_logprobs\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        Generation g = engine.chat(request).block(WAIT);
        List<StreamChunk> chunks = engine.streamChat(request).collectList().block(WAIT);

        assertThat(g.choices().get(0).logprobs()).hasSize(2).first().satisfies(t -> {
            assertThat(t.token()).isEqualTo("a");
            assertThat(t.logprob()).isEqualTo(-0.25);
            assertThat(t.top()).extracting(a -> a.token()).containsExactly("a", "<alt1>");
        });
        assertThat(chunks.get(1).logprobs()).singleElement().satisfies(t -> assertThat(t.token())
                .isEqualTo("b"));
    }

    @Test
    void completionsStreamAndNot() {
        upstream.always(ScriptedReply.pieces("Once", " upon", " a time").usage(3, 3));

        Generation g =
                engine.complete(Requests.completion("Tell a story", false)).block(WAIT);
        List<StreamChunk> chunks = engine.streamCompletion(Requests.completion("Tell a story", true))
                .collectList()
                .block(WAIT);

        assertThat(g.choices().get(0).text()).isEqualTo("Once upon a time");
        assertThat(g.usage()).isEqualTo(new Usage(3, 3));
        assertThat(chunks.stream().map(StreamChunk::text).collect(Collectors.joining()))
                .isEqualTo("Once upon a time");
        assertThat(chunks.get(chunks.size() - 2).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks.get(chunks.size() - 1).usage()).isEqualTo(new Usage(3, 3));
        assertThat(upstream.requests("/v1/completions"))
                .hasSize(2)
                .allMatch(r -> r.json().path("model").asString().equals("meta-llama/Llama-3.1-8B-Instruct"));
    }

    @Test
    void completionLogprobsUseTheLegacyShape() {
        upstream.enqueue(ScriptedReply.pieces("x", "y"));
        var request = Requests.completion("p", false);
        request.body().put("logprobs", 1);

        Generation g = engine.complete(request).block(WAIT);

        assertThat(g.choices().get(0).logprobs()).extracting(t -> t.token()).containsExactly("x", "y");
        assertThat(g.choices().get(0).logprobs().get(0).top()).singleElement().satisfies(a -> assertThat(a.token())
                .isEqualTo("x"));
    }

    @Test
    void requestsBuiltInCodeAreWrittenFromTheirFields() {
        ChatRequest request = new ChatRequest(
                "llama-served",
                List.of(
                        ChatMessage.of(Role.SYSTEM, "be brief"),
                        ChatMessage.of(Role.USER, "hi"),
                        new ChatMessage(Role.ASSISTANT, "", null, List.of(new ToolCall("c1", "f", "{}")), null),
                        new ChatMessage(Role.TOOL, "42", null, null, "c1")),
                List.of(new ToolDefinition("f", "a function", "{\"type\":\"object\"}")),
                "auto",
                new SamplingParams(0.0, null, 16, List.of("\n\n"), 7L, 1, false, null),
                false,
                false,
                null);

        engine.chat(request).block(WAIT);

        JsonNode sent = upstream.lastGenerationRequest().json();
        assertThat(sent.path("model").asString()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(sent.path("messages")).hasSize(4);
        assertThat(sent.path("messages")
                        .path(2)
                        .path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("name")
                        .asString())
                .isEqualTo("f");
        assertThat(sent.path("messages").path(3).path("role").asString()).isEqualTo("tool");
        assertThat(sent.path("messages").path(3).path("tool_call_id").asString())
                .isEqualTo("c1");
        assertThat(sent.path("tools")
                        .path(0)
                        .path("function")
                        .path("parameters")
                        .path("type")
                        .asString())
                .isEqualTo("object");
        assertThat(sent.path("tool_choice").asString()).isEqualTo("auto");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(16);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.0);
        assertThat(sent.path("seed").asLong()).isEqualTo(7L);
        assertThat(sent.path("stop").path(0).asString()).isEqualTo("\n\n");
    }

    @Test
    void upstream4xxIsTheClientsInvalidRequestWithTheUpstreamMessage() {
        upstream.always(ScriptedReply.error(400, "This model's maximum context length is 8192 tokens"));

        assertThatThrownBy(() -> engine.chat(Requests.chat("long", false)).block(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("This model's maximum context length is 8192 tokens");
                });
        assertThatThrownBy(() -> engine.streamChat(Requests.chat("long", true)).blockLast(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.kind())
                        .isEqualTo(InferenceException.Kind.INVALID_REQUEST));
        assertThat(upstream.generationRequests())
                .as("a bad request is not retried")
                .isEqualTo(2);
    }

    @Test
    void upstream429IsOverloaded() {
        upstream.always(ScriptedReply.error(429, "too many requests"));

        assertThatThrownBy(() -> engine.chat(Requests.chat("x", false)).block(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.kind())
                        .isEqualTo(InferenceException.Kind.OVERLOADED));
    }

    @Test
    void aStreamThatEndsWithoutFinishOrDoneIsAnError() {
        upstream.enqueue(ScriptedReply.pieces("a", "b").truncateAfter(1));

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("x", true))
                        .collectList()
                        .block(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InferenceException.Kind.UPSTREAM_ERROR);
                    assertThat(e.getMessage()).contains("ended without finish_reason or [DONE]");
                });
    }

    static void awaitUntil(java.util.function.BooleanSupplier condition) {
        await().atMost(WAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2))
                .until(condition::getAsBoolean);
    }
}
