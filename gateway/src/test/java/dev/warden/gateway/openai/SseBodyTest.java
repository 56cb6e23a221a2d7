package dev.warden.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.inference.FinishReason;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class SseBodyTest {

    private final OpenAiResponses chat = new OpenAiResponses(OpenAiResponses.Kind.CHAT, "chatcmpl-1", 1700000000L, "m");

    @Test
    void aStartedStreamOpensWithACommentAndKeepsTheConnectionAliveUntilTheFirstToken() {
        // the first token comes only after the test has seen two keep-alive comments
        Sinks.Many<StreamChunk> chunks = Sinks.many().unicast().onBackpressureBuffer();
        Flux<String> events = SseBody.startedEvents(
                        chunks.asFlux(), chat, true, false, Mono.empty(), Duration.ofMillis(10))
                .map(b -> new String(b, StandardCharsets.UTF_8));

        List<String> seen = events.doOnNext(e -> {
                    if (e.startsWith(":") && e.equals(": keep-alive\n\n")) {
                        chunks.tryEmitNext(StreamChunk.text(0, "Hi"));
                        chunks.tryEmitNext(StreamChunk.finish(0, FinishReason.STOP));
                        chunks.tryEmitComplete();
                    }
                })
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(seen.get(0)).isEqualTo(": keep-alive\n\n");
        String body = String.join("", seen);
        assertThat(body.indexOf(": keep-alive")).isLessThan(body.indexOf("\"content\":\"Hi\""));
        assertThat(body).endsWith("data: [DONE]\n\n");
    }

    @Test
    void nothingFollowsDone() {
        Flux<String> events = SseBody.startedEvents(
                        Flux.just(StreamChunk.text(0, "Hi"), StreamChunk.finish(0, FinishReason.STOP)),
                        chat,
                        true,
                        false,
                        Mono.empty(),
                        Duration.ofMillis(1))
                .map(b -> new String(b, StandardCharsets.UTF_8));
        List<String> seen = events.collectList().block(Duration.ofSeconds(10));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("data: [DONE]\n\n");
    }

    @Test
    void aRefusalWhileSubscribingStillPropagatesAsAnErrorAndAFailureLaterIsAnErrorEvent() {
        InferenceException full =
                new InferenceException(InferenceException.Kind.OVERLOADED, "all slots busy", null, null);
        assertThatThrownBy(() -> SseBody.startedEvents(
                                Flux.error(full), chat, true, false, Mono.empty(), Duration.ofSeconds(15))
                        .collectList()
                        .block(Duration.ofSeconds(10)))
                .isSameAs(full);

        Sinks.Many<StreamChunk> later = Sinks.many().unicast().onBackpressureBuffer();
        List<String> seen = SseBody.startedEvents(
                        later.asFlux(), chat, true, false, Mono.empty(), Duration.ofSeconds(15))
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .doOnNext(e -> later.tryEmitError(full))
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(seen.get(0)).isEqualTo(": keep-alive\n\n");
        assertThat(seen.get(1))
                .startsWith("data: {\"error\"")
                .contains("engine_overloaded")
                .doesNotContain("[DONE]");
    }
}
