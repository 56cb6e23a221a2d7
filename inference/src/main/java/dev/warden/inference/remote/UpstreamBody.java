package dev.warden.inference.remote;

import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.SamplingParams;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON sent upstream. When the request carries a body (the gateway writes it from the fields it validated
 * and judged), a copy of it is forwarded; only {@code model} becomes the upstream name and {@code stream} what the
 * engine was asked for. Streams always ask for usage, which accounting needs.
 * Requests built in code (no client body, e.g. a guard classifier's) are written from their fields.
 */
final class UpstreamBody {

    private static final Set<String> TOOL_CHOICE_WORDS = Set.of("auto", "none", "required");

    private final String upstreamModel;

    UpstreamBody(String upstreamModel) {
        this.upstreamModel = upstreamModel;
    }

    byte[] chat(ChatRequest request, boolean stream) {
        ObjectNode body = request.body() != null ? topLevelCopy(request.body()) : chatFromFields(request);
        return finish(body, stream);
    }

    byte[] completion(CompletionRequest request, boolean stream) {
        ObjectNode body = request.body() != null ? topLevelCopy(request.body()) : completionFromFields(request);
        return finish(body, stream);
    }

    /**
     * A copy of the client's body whose top-level fields can be replaced without touching the original; the
     * values (messages and all) are shared, not copied, because {@link #finish} only replaces top-level fields
     * and copies {@code stream_options} before changing it.
     */
    private static ObjectNode topLevelCopy(ObjectNode clientBody) {
        ObjectNode copy = OpenAiWire.JSON.createObjectNode();
        copy.setAll(clientBody);
        return copy;
    }

    private byte[] finish(ObjectNode body, boolean stream) {
        body.put("model", upstreamModel);
        body.put("stream", stream);
        if (stream) {
            JsonNode options = body.get("stream_options");
            ObjectNode streamOptions =
                    options instanceof ObjectNode o ? o.deepCopy() : OpenAiWire.JSON.createObjectNode();
            streamOptions.put("include_usage", true);
            body.set("stream_options", streamOptions);
        } else {
            // OpenAI rejects stream_options on a non-streamed request.
            body.remove("stream_options");
        }
        return OpenAiWire.JSON.writeValueAsBytes(body);
    }

    private ObjectNode chatFromFields(ChatRequest request) {
        ObjectNode body = OpenAiWire.JSON.createObjectNode();
        OpenAiChatJson.writeMessages(body.putArray("messages"), request.messages());
        if (!request.tools().isEmpty()) {
            OpenAiChatJson.writeTools(body.putArray("tools"), request.tools());
        }
        if (request.toolChoice() != null) {
            if (TOOL_CHOICE_WORDS.contains(request.toolChoice())) {
                body.put("tool_choice", request.toolChoice());
            } else {
                body.putObject("tool_choice")
                        .put("type", "function")
                        .putObject("function")
                        .put("name", request.toolChoice());
            }
        }
        SamplingParams p = request.params() != null ? request.params() : SamplingParams.defaults();
        sampling(body, p);
        if (p.logprobs()) {
            body.put("logprobs", true);
            if (p.topLogprobs() != null) {
                body.put("top_logprobs", p.topLogprobs());
            }
        }
        return body;
    }

    private ObjectNode completionFromFields(CompletionRequest request) {
        ObjectNode body = OpenAiWire.JSON.createObjectNode().put("prompt", request.prompt());
        SamplingParams p = request.params() != null ? request.params() : SamplingParams.defaults();
        sampling(body, p);
        if (p.logprobs()) {
            // The legacy API takes the number of alternatives in "logprobs" itself.
            body.put("logprobs", p.topLogprobs() != null ? p.topLogprobs() : 0);
        }
        return body;
    }

    private static void sampling(ObjectNode body, SamplingParams p) {
        if (p.temperature() != null) {
            body.put("temperature", p.temperature());
        }
        if (p.topP() != null) {
            body.put("top_p", p.topP());
        }
        if (p.maxTokens() != null) {
            body.put("max_tokens", p.maxTokens());
        }
        if (!p.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            p.stop().forEach(stop::add);
        }
        if (p.seed() != null) {
            body.put("seed", p.seed());
        }
        if (p.n() != 1) {
            body.put("n", p.n());
        }
    }
}
