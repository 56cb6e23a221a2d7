package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ToolDefinition;
import dev.warden.inference.remote.OpenAiChatJson;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body a remote engine receives, written afresh from the fields this gateway knows, never the client's JSON
 * as sent. Every text in it was parsed (and so judged by the input guard): messages as parsed (content parts
 * joined), tool definitions, the response format. Fields that carry no text are copied once validated. Any other
 * field is dropped: servers such as vLLM honour extras like {@code chat_template}, {@code chat_template_kwargs} or
 * {@code documents}, which would put unjudged text (or a different prompt format) in front of the model.
 */
final class ForwardedBody {

    /** Sampling and output fields without client text, forwarded after validation. */
    static final Set<String> CHAT_FIELDS = Set.of(
            "model",
            "messages",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "n",
            "logprobs",
            "top_logprobs",
            "stream",
            "stream_options",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "response_format");

    static final Set<String> COMPLETION_FIELDS = Set.of(
            "model",
            "prompt",
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "seed",
            "n",
            "logprobs",
            "stream",
            "stream_options",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias");
    /** Copied as validated values: numbers, booleans and the stop list. */
    private static final List<String> PLAIN = List.of(
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "n",
            "logprobs",
            "top_logprobs",
            "stream",
            "parallel_tool_calls",
            "presence_penalty",
            "frequency_penalty");

    private ForwardedBody() {}

    static ObjectNode chat(JsonBody body, List<ChatMessage> messages, List<ToolDefinition> tools) {
        ObjectNode out = start(body, CHAT_FIELDS);
        OpenAiChatJson.writeMessages(out.putArray("messages"), messages);
        if (!tools.isEmpty()) {
            OpenAiChatJson.writeTools(out.putArray("tools"), tools);
        }
        JsonNode choice = body.get("tool_choice");
        if (choice != null) {
            if (choice.isString()) {
                out.put("tool_choice", choice.stringValue());
            } else {
                out.putObject("tool_choice")
                        .put("type", "function")
                        .putObject("function")
                        .put("name", choice.get("function").get("name").stringValue());
            }
        }
        JsonNode format = responseFormat(body);
        if (format != null) {
            out.set("response_format", format);
        }
        return out;
    }

    static ObjectNode completion(JsonBody body, String prompt) {
        ObjectNode out = start(body, COMPLETION_FIELDS);
        out.put("prompt", prompt);
        return out;
    }

    private static ObjectNode start(JsonBody body, Set<String> known) {
        ObjectNode out = JsonBody.JSON.createObjectNode();
        out.put("model", body.requiredString("model"));
        for (String field : PLAIN) {
            JsonNode value = body.get(field);
            if (value != null && known.contains(field)) {
                out.set(field, value.deepCopy());
            }
        }
        JsonNode options = body.get("stream_options");
        if (options != null) {
            JsonNode usage = options.get("include_usage");
            ObjectNode copy = out.putObject("stream_options");
            if (usage != null && usage.isBoolean()) {
                copy.put("include_usage", usage.booleanValue());
            }
        }
        JsonNode bias = body.get("logit_bias");
        if (bias != null) {
            out.set("logit_bias", logitBias(bias));
        }
        for (String field : List.of("presence_penalty", "frequency_penalty")) {
            body.number(field, -2, 2);
        }
        JsonNode parallel = body.get("parallel_tool_calls");
        if (parallel != null && !parallel.isBoolean()) {
            throw ApiErrors.wrongType("parallel_tool_calls", "a boolean");
        }
        return out;
    }

    /** Token id -> bias in [-100, 100]; no text, but validated so nothing else rides along. */
    private static ObjectNode logitBias(JsonNode bias) {
        if (!bias.isObject()) {
            throw ApiErrors.wrongType("logit_bias", "an object mapping token ids to numbers");
        }
        ObjectNode out = JsonBody.JSON.createObjectNode();
        for (var entry : bias.properties()) {
            JsonNode v = entry.getValue();
            if (!entry.getKey().matches("\\d{1,9}") || !v.isNumber() || Math.abs(v.doubleValue()) > 100) {
                throw ApiErrors.invalidRequest("'logit_bias' maps token ids to numbers in [-100, 100]", "logit_bias");
            }
            out.set(entry.getKey(), v.deepCopy());
        }
        return out;
    }

    /**
     * {@code {"type": "text" | "json_object"}} or {@code {"type": "json_schema", "json_schema": {...}}}. A schema
     * is client text the engine acts on (and may show the model), so {@link OpenAiRequests} hands it to the input
     * guard as well.
     */
    static JsonNode responseFormat(JsonBody body) {
        JsonNode format = body.get("response_format");
        if (format == null) {
            return null;
        }
        JsonNode type = format.isObject() ? format.get("type") : null;
        if (type == null || !type.isString()) {
            throw ApiErrors.wrongType("response_format", "an object with a 'type'");
        }
        ObjectNode out = JsonBody.JSON.createObjectNode().put("type", type.stringValue());
        switch (type.stringValue()) {
            case "text", "json_object" -> {}
            case "json_schema" -> {
                JsonNode schema = format.get("json_schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiErrors.wrongType("response_format.json_schema", "an object");
                }
                out.set("json_schema", schema.deepCopy());
            }
            default ->
                throw ApiErrors.invalidRequest(
                        "'response_format.type' must be text, json_object or json_schema", "response_format.type");
        }
        return out;
    }
}
