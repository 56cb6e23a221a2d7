package dev.warden.gateway.responses;

import static dev.warden.gateway.responses.ResponsesRequest.JSON;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Response object being built: its output items (assistant messages and function calls), usage and status,
 * rendered in OpenAI's {@code response} shape. A chat completion's {@code finish_reason} decides the status:
 * {@code stop} and {@code tool_calls} complete it, {@code length} leaves it incomplete for
 * {@code max_output_tokens}, {@code content_filter} incomplete for {@code content_filter} (OpenAI's own reasons).
 */
final class ResponseObject {

    private final String id;
    private final long createdAt;
    private final String model;
    private final ObjectNode echo;
    private final ArrayNode output = JSON.createArrayNode();
    private ObjectNode usage;
    private String incompleteReason;
    private JsonNode contentFilterResults;
    private ObjectNode error;
    private int items;

    ResponseObject(String id, long createdAt, String model, ObjectNode echo) {
        this.id = id;
        this.createdAt = createdAt;
        this.model = model;
        this.echo = echo;
    }

    String id() {
        return id;
    }

    String nextItemId(String prefix) {
        return prefix + "_" + id.substring(id.indexOf('_') + 1) + "_" + items++;
    }

    ArrayNode output() {
        return output;
    }

    /** Records why the chat ended; {@code filterResults} is the gateway's {@code content_filter_results}, if any. */
    void finish(String finishReason, JsonNode filterResults) {
        if ("length".equals(finishReason)) {
            incompleteReason = "max_output_tokens";
        } else if ("content_filter".equals(finishReason)) {
            incompleteReason = "content_filter";
            contentFilterResults = filterResults;
        }
    }

    void usage(JsonNode chatUsage) {
        if (chatUsage == null || !chatUsage.isObject()) {
            return;
        }
        usage = JSON.createObjectNode();
        usage.put("input_tokens", chatUsage.path("prompt_tokens").asInt(0));
        usage.putObject("input_tokens_details").put("cached_tokens", 0);
        usage.put("output_tokens", chatUsage.path("completion_tokens").asInt(0));
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", chatUsage.path("total_tokens").asInt(0));
    }

    void failed(JsonNode chatError) {
        error = JSON.createObjectNode();
        error.put("code", chatError.path("code").asString("server_error"));
        error.put("message", chatError.path("message").asString("the response failed"));
    }

    String incompleteReason() {
        return incompleteReason;
    }

    String status() {
        return error != null ? "failed" : incompleteReason != null ? "incomplete" : "completed";
    }

    /** A message item holding {@code text} (or, when the gateway withheld it, a refusal part). */
    static ObjectNode message(String itemId, String text, String refusal, String status) {
        ObjectNode item = JSON.createObjectNode();
        item.put("id", itemId);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        if (refusal != null) {
            content.addObject().put("type", "refusal").put("refusal", refusal);
        }
        return item;
    }

    static ObjectNode textPart(String text) {
        ObjectNode part = JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    static ObjectNode functionCall(String itemId, String callId, String name, String arguments, String status) {
        return JSON.createObjectNode()
                .put("id", itemId)
                .put("type", "function_call")
                .put("status", status)
                .put("call_id", callId)
                .put("name", name)
                .put("arguments", arguments);
    }

    /** The Response in {@code status}, or in its own final status when {@code status} is null. */
    ObjectNode render(String status) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", createdAt);
        r.put("status", status == null ? status() : status);
        r.set("error", error == null ? JSON.nullNode() : error.deepCopy());
        if (incompleteReason != null && status == null) {
            r.putObject("incomplete_details").put("reason", incompleteReason);
        } else {
            r.putNull("incomplete_details");
        }
        r.put("model", model);
        r.set("output", status == null ? output.deepCopy() : JSON.createArrayNode());
        r.put("output_text", status == null ? outputText() : "");
        r.setAll(echo.deepCopy());
        r.set("usage", usage == null || status != null ? JSON.nullNode() : usage.deepCopy());
        if (contentFilterResults != null && status == null) {
            r.set("content_filter_results", contentFilterResults.deepCopy());
        }
        return r;
    }

    /** Every output text, joined: what the SDKs' {@code output_text} convenience gives. */
    String outputText() {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : output) {
            for (JsonNode part : item.path("content")) {
                if (part.path("type").asString("").equals("output_text")) {
                    text.append(part.path("text").asString(""));
                }
            }
        }
        return text.toString();
    }

    /** The assistant turn(s) of this output in chat form, for the stored conversation. */
    ArrayNode assistantTurns() {
        ArrayNode turns = JSON.createArrayNode();
        ObjectNode calls = null;
        for (JsonNode item : output) {
            if (item.path("type").asString("").equals("function_call")) {
                if (calls == null) {
                    calls = turns.addObject().put("role", "assistant");
                    calls.putNull("content");
                    calls.putArray("tool_calls");
                }
                ObjectNode call = ((ArrayNode) calls.get("tool_calls")).addObject();
                call.put("id", item.path("call_id").asString());
                call.put("type", "function");
                call.putObject("function")
                        .put("name", item.path("name").asString())
                        .put("arguments", item.path("arguments").asString());
            } else {
                calls = null;
                StringBuilder text = new StringBuilder();
                item.path("content").forEach(p -> text.append(p.path("text").asString("")));
                turns.addObject().put("role", "assistant").put("content", text.toString());
            }
        }
        return turns;
    }

    /** A whole {@code chat.completion}: its first choice becomes the output. */
    ObjectNode fromChat(JsonNode completion) {
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        String finish = choice.path("finish_reason").asString("stop");
        String content =
                message.path("content").isString() ? message.path("content").stringValue() : null;
        String refusal =
                message.path("refusal").isString() ? message.path("refusal").stringValue() : null;
        if (content != null && !content.isEmpty()
                || refusal != null
                || !message.path("tool_calls").isArray()) {
            output.add(message(nextItemId("msg"), content == null ? null : content, refusal, "completed"));
        }
        for (JsonNode call : message.path("tool_calls")) {
            output.add(functionCall(
                    nextItemId("fc"),
                    call.path("id").asString(),
                    call.path("function").path("name").asString(),
                    call.path("function").path("arguments").asString("{}"),
                    "completed"));
        }
        finish(finish, choice.get("content_filter_results"));
        usage(completion.get("usage"));
        return render(null);
    }
}
