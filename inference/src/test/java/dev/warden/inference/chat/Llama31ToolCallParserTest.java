package dev.warden.inference.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.ToolCall;
import org.junit.jupiter.api.Test;

class Llama31ToolCallParserTest {

    @Test
    void parsesTheJsonForm() {
        var reply = Llama31ToolCallParser.parse(
                " {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris; FR\"}}\n");

        assertThat(reply.hasToolCalls()).isTrue();
        assertThat(reply.content()).isEmpty();
        assertThat(reply.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(c.argumentsJson()).isEqualTo("{\"city\":\"Paris; FR\"}");
            assertThat(c.id()).matches("call_[A-Za-z0-9]{24}");
        });
    }

    @Test
    void parsesAfterThePythonTagAndSeveralCalls() {
        var reply = Llama31ToolCallParser.parse("<|python_tag|>{\"name\": \"a\", \"arguments\": {}}; "
                + "{\"name\": \"b\", \"parameters\": {\"x\": [1, {\"y\": \"}\"}]}}");

        assertThat(reply.toolCalls()).extracting(ToolCall::name).containsExactly("a", "b");
        assertThat(reply.toolCalls().get(1).argumentsJson()).isEqualTo("{\"x\":[1,{\"y\":\"}\"}]}");
        assertThat(reply.toolCalls().get(0).id())
                .isNotEqualTo(reply.toolCalls().get(1).id());
    }

    @Test
    void parsesTheFunctionTagForm() {
        var reply = Llama31ToolCallParser.parse("<function=spotify_trending_songs>{\"n\": \"5\"}</function>");

        assertThat(reply.toolCalls())
                .singleElement()
                .extracting(ToolCall::name, ToolCall::argumentsJson)
                .containsExactly("spotify_trending_songs", "{\"n\":\"5\"}");
    }

    @Test
    void leavesOrdinaryTextAndOtherJsonAlone() {
        assertThat(Llama31ToolCallParser.parse("The weather is fine.").hasToolCalls())
                .isFalse();
        assertThat(Llama31ToolCallParser.parse("{\"name\": \"Bob\", \"age\": 3}")
                        .hasToolCalls())
                .isFalse();
        assertThat(Llama31ToolCallParser.parse("{\"name\": \"f\", \"parameters\": {}} and some text")
                        .content())
                .isEqualTo("{\"name\": \"f\", \"parameters\": {}} and some text");
        assertThat(Llama31ToolCallParser.parse("{\"name\": \"f\", \"parameters\": {")
                        .hasToolCalls())
                .isFalse();
    }

    @Test
    void tellsWhetherAPrefixMayStillBecomeACall() {
        assertThat(Llama31ToolCallParser.mayBeToolCall("")).isTrue();
        assertThat(Llama31ToolCallParser.mayBeToolCall(" {\"na")).isTrue();
        assertThat(Llama31ToolCallParser.mayBeToolCall("<func")).isTrue();
        assertThat(Llama31ToolCallParser.mayBeToolCall("Sure")).isFalse();
    }
}
