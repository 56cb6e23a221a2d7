package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.inference.FinishReason;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream shapes the scripted upstream does not produce: several choices, usage on the finish chunk, errors. */
class StreamAssemblerTest {

    private static List<StreamChunk> feed(StreamAssembler a, String... events) {
        List<StreamChunk> out = new ArrayList<>();
        for (String e : events) {
            out.addAll(a.onEvent(e));
        }
        return out;
    }

    @Test
    void keepsChoicesApartAndEndsOnlyWhenEveryStartedChoiceFinished() {
        StreamAssembler a = new StreamAssembler(true);
        List<StreamChunk> chunks = feed(
                a,
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}},"
                        + "{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
                "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"length\"}]}");

        assertThat(chunks)
                .extracting(StreamChunk::index, StreamChunk::text, StreamChunk::finishReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "B", null),
                        org.assertj.core.groups.Tuple.tuple(0, "A", FinishReason.LENGTH));
        assertThatThrownBy(a::end).isInstanceOf(InferenceException.class);
    }

    @Test
    void usageOnTheFinishChunkIsStillHandedOutLast() {
        StreamAssembler a = new StreamAssembler(true);
        List<StreamChunk> chunks = feed(
                a,
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,\"total_tokens\":5}}");
        chunks.addAll(a.end());

        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks.get(1).usage()).isEqualTo(new Usage(4, 1));
    }

    @Test
    void toolCallDeltasWithoutIndexesAreJoinedInOrder() {
        StreamAssembler a = new StreamAssembler(true);
        List<StreamChunk> chunks = feed(
                a,
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "[DONE]");

        assertThat(chunks).singleElement().satisfies(c -> {
            assertThat(c.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(c.toolCalls()).containsExactly(new ToolCall("c", "f", "{\"a\":1}"));
        });
    }

    @Test
    void anErrorEventEndsTheStreamWithAnUpstreamError() {
        StreamAssembler a = new StreamAssembler(true);
        feed(a, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}");

        assertThatThrownBy(() -> a.onEvent("{\"error\":{\"message\":\"engine crashed\",\"type\":\"server_error\"}}"))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InferenceException.Kind.UPSTREAM_ERROR);
                    assertThat(e.getMessage()).contains("engine crashed");
                });
    }

    @Test
    void eventsAfterDoneAreIgnored() {
        StreamAssembler a = new StreamAssembler(false);
        feed(a, "{\"choices\":[{\"index\":0,\"text\":\"x\",\"finish_reason\":\"stop\"}]}", "[DONE]");

        assertThat(a.onEvent("{\"choices\":[{\"index\":0,\"text\":\"late\"}]}")).isEmpty();
        assertThat(a.end()).isEmpty();
    }
}
