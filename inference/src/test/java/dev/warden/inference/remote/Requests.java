package dev.warden.inference.remote;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Requests as the gateway would hand them over: validated fields plus the client's JSON body. */
final class Requests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private Requests() {}

    static ChatRequest chat(String userText, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", "llama-served").put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        body.put("user", "client-field-the-gateway-does-not-know");
        return new ChatRequest(
                "llama-served",
                List.of(ChatMessage.of(Role.USER, userText)),
                List.of(),
                null,
                SamplingParams.defaults(),
                stream,
                false,
                body);
    }

    static ChatRequest chatWithBody(String json) {
        ObjectNode body = (ObjectNode) JSON.readTree(json);
        return new ChatRequest(
                body.path("model").asString(),
                List.of(ChatMessage.of(Role.USER, "x")),
                List.of(),
                null,
                SamplingParams.defaults(),
                body.path("stream").asBoolean(false),
                false,
                body);
    }

    static CompletionRequest completion(String prompt, boolean stream) {
        ObjectNode body = JSON.createObjectNode()
                .put("model", "llama-served")
                .put("prompt", prompt)
                .put("stream", stream);
        return new CompletionRequest("llama-served", prompt, SamplingParams.defaults(), stream, false, body);
    }
}
