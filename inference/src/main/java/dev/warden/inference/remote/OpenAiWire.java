package dev.warden.inference.remote;

import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reading the pieces of OpenAI's response JSON that replies and stream chunks share. Lenient: absent means null. */
final class OpenAiWire {

    /** One mapper for the engine's whole life: creating one per request would cost more than the request. */
    static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAiWire() {}

    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    static Usage usage(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return new Usage(
                node.path("prompt_tokens").intValue(0),
                node.path("completion_tokens").intValue(0));
    }

    static List<ToolCall> toolCalls(JsonNode calls) {
        if (calls == null || !calls.isArray() || calls.isEmpty()) {
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (JsonNode call : calls) {
            JsonNode function = call.path("function");
            String arguments = function.get("arguments") != null
                            && function.get("arguments").isObject()
                    ? function.get("arguments").toString()
                    : text(function.get("arguments"));
            out.add(new ToolCall(
                    text(call.get("id")), text(function.get("name")), arguments == null ? "{}" : arguments));
        }
        return out;
    }

    /** Chat logprobs: {@code {"content":[{"token","logprob","top_logprobs":[{"token","logprob"}]}]}}. */
    static List<TokenLogprob> chatLogprobs(JsonNode logprobs) {
        JsonNode content = logprobs == null ? null : logprobs.get("content");
        if (content == null || !content.isArray()) {
            return null;
        }
        List<TokenLogprob> out = new ArrayList<>(content.size());
        for (JsonNode t : content) {
            List<TokenLogprob.Alternative> top = new ArrayList<>();
            for (JsonNode a : t.path("top_logprobs")) {
                top.add(new TokenLogprob.Alternative(
                        text(a.get("token")), a.path("logprob").doubleValue(0)));
            }
            out.add(new TokenLogprob(text(t.get("token")), t.path("logprob").doubleValue(0), List.copyOf(top)));
        }
        return out;
    }

    /** Legacy completion logprobs: parallel arrays {@code tokens}, {@code token_logprobs}, {@code top_logprobs}. */
    static List<TokenLogprob> completionLogprobs(JsonNode logprobs) {
        JsonNode tokens = logprobs == null ? null : logprobs.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            return null;
        }
        JsonNode values = logprobs.path("token_logprobs");
        JsonNode tops = logprobs.path("top_logprobs");
        List<TokenLogprob> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            List<TokenLogprob.Alternative> top = new ArrayList<>();
            JsonNode alternatives = tops.path(i);
            if (alternatives.isObject()) {
                for (Map.Entry<String, JsonNode> a : alternatives.properties()) {
                    top.add(new TokenLogprob.Alternative(
                            a.getKey(), a.getValue().doubleValue(0)));
                }
            }
            out.add(new TokenLogprob(text(tokens.get(i)), values.path(i).doubleValue(0), List.copyOf(top)));
        }
        return out;
    }

    /**
     * The {@code error.type}, {@code error.code} and {@code error.param} of an OpenAI error body (strings only; a
     * numeric code, as some servers send, is written as text), or nulls.
     */
    static String[] errorFields(String body) {
        String[] out = new String[3];
        if (body == null || body.isBlank()) {
            return out;
        }
        try {
            JsonNode error = JSON.readTree(body).get("error");
            if (error != null && error.isObject()) {
                String[] names = {"type", "code", "param"};
                for (int i = 0; i < names.length; i++) {
                    JsonNode v = error.get(names[i]);
                    out[i] = v == null || !v.isValueNode() || v.isNull() ? null : v.asString();
                }
            }
        } catch (RuntimeException notJson) {
            // no fields to report
        }
        return out;
    }

    /** The {@code error.message} of an OpenAI error body, or the body itself (shortened) when it has none. */
    static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode error = node.get("error");
            String message = error != null && error.isObject()
                    ? text(error.get("message"))
                    : error != null ? text(error) : text(node.get("message"));
            if (message == null) {
                message = text(node.get("detail"));
            }
            if (message != null) {
                return message;
            }
        } catch (RuntimeException notJson) {
            // fall through to the raw text
        }
        String trimmed = body.strip();
        return trimmed.length() > 500 ? trimmed.substring(0, 500) + "..." : trimmed;
    }
}
