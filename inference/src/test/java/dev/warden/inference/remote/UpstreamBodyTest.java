package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.Role;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class UpstreamBodyTest {

    private static final String CLIENT = "{\"model\":\"served\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1},\"vendor_field\":{\"a\":[1,2]}}";

    private final UpstreamBody bodies = new UpstreamBody("upstream-name");

    @Test
    void aStreamedBodyAsksForUsageAndNamesTheUpstreamModelLeavingTheClientsBodyAsItWas() throws Exception {
        ObjectNode client = (ObjectNode) OpenAiWire.JSON.readTree(CLIENT);
        String before = client.toString();

        JsonNode sent = OpenAiWire.JSON.readTree(bodies.chat(request(client), true));

        assertThat(sent.get("model").asString()).isEqualTo("upstream-name");
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.at("/stream_options/x").asInt()).isEqualTo(1);
        assertThat(sent.get("vendor_field")).isEqualTo(client.get("vendor_field"));
        assertThat(sent.get("messages")).isEqualTo(client.get("messages"));
        assertThat(client.toString()).isEqualTo(before);
    }

    @Test
    void aWholeBodyDropsStreamOptionsWhichOpenAiRejectsWithoutStreaming() throws Exception {
        ObjectNode client = (ObjectNode) OpenAiWire.JSON.readTree(CLIENT);
        String before = client.toString();

        JsonNode sent = OpenAiWire.JSON.readTree(bodies.chat(request(client), false));

        assertThat(sent.get("stream").asBoolean()).isFalse();
        assertThat(sent.has("stream_options")).isFalse();
        assertThat(client.toString()).isEqualTo(before);
    }

    private static ChatRequest request(ObjectNode body) {
        return new ChatRequest(
                "served", List.of(ChatMessage.of(Role.USER, "hi")), List.of(), null, null, true, true, body);
    }
}
