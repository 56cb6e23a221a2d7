package dev.warden.inference.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.FinishReason;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class ChoiceOutputTest {

    private static List<StreamChunk> emit(boolean toolCalls, Consumer<LlamaCppEngine.ChoiceOutput> script) {
        return Flux.<StreamChunk>create(sink -> {
                    script.accept(new LlamaCppEngine.ChoiceOutput(0, toolCalls, sink));
                    sink.complete();
                })
                .collectList()
                .block();
    }

    @Test
    void holdsAReplyThatBecomesAToolCallAndFinishesWithToolCalls() {
        List<StreamChunk> chunks = emit(true, out -> {
            out.text("{\"name\": \"get_", null);
            out.text("weather\", \"parameters\": {\"city\": \"Paris\"}}", null);
            out.finish(FinishReason.STOP);
        });

        assertThat(chunks).singleElement().satisfies(c -> {
            assertThat(c.text()).isEmpty();
            assertThat(c.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(c.toolCalls())
                    .extracting(ToolCall::name, ToolCall::argumentsJson)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("get_weather", "{\"city\":\"Paris\"}"));
        });
    }

    @Test
    void streamsPlainTextAsSoonAsItCannotBeAToolCall() {
        List<StreamChunk> chunks = emit(true, out -> {
            out.text(" ", null);
            out.text("Sure", null);
            out.text(", here", null);
            out.finish(FinishReason.LENGTH);
        });

        assertThat(chunks).extracting(StreamChunk::text).containsExactly(" Sure", ", here", "");
        assertThat(chunks.get(2).finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void releasesHeldJsonThatIsNotACallAsText() {
        List<StreamChunk> chunks = emit(true, out -> {
            out.text("{\"answer\": 42}", null);
            out.finish(FinishReason.STOP);
        });

        assertThat(chunks).extracting(StreamChunk::text).containsExactly("{\"answer\": 42}", "");
        assertThat(chunks.get(1).finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void sendsLogprobsWithTheTextTheyBelongTo() {
        TokenLogprob a = new TokenLogprob("a", -0.1, List.of());
        TokenLogprob b = new TokenLogprob("b", -0.2, List.of());
        List<StreamChunk> chunks = emit(false, out -> {
            out.text("", a);
            out.text("ab", b);
            out.finish(FinishReason.STOP);
        });

        assertThat(chunks.get(0).text()).isEqualTo("ab");
        assertThat(chunks.get(0).logprobs()).containsExactly(a, b);
        assertThat(chunks.get(1).logprobs()).isNull();
    }
}
