package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.ToolCall;
import dev.warden.inference.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Turns OpenAI request bodies into validated inference requests. The body a request carries on to the engine is
 * written from the parsed fields ({@link ForwardedBody}); fields this gateway does not know are dropped.
 */
public final class OpenAiRequests {

    /** More choices than this per request is almost always a client bug, and it multiplies cost. */
    static final int MAX_N = 8;

    private OpenAiRequests() {}

    public static ChatRequest chat(byte[] bytes) {
        JsonBody body = JsonBody.parse(bytes);
        String model = body.requiredString("model");
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null) {
            throw ApiErrors.missingParameter("messages");
        }
        if (!messagesNode.isArray()) {
            throw ApiErrors.wrongType("messages", "an array of message objects");
        }
        if (messagesNode.isEmpty()) {
            throw ApiErrors.invalidRequest("'messages' must contain at least one message", "messages");
        }
        List<ChatMessage> messages = new ArrayList<>(messagesNode.size());
        for (int i = 0; i < messagesNode.size(); i++) {
            messages.add(message(messagesNode.get(i), "messages[" + i + "]"));
        }
        boolean stream = body.bool("stream", false);
        boolean includeUsage = streamOptions(body, stream);
        Integer maxTokens = body.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = body.integer("max_tokens", 1, Integer.MAX_VALUE);
        }
        boolean logprobs = body.bool("logprobs", false);
        Integer topLogprobs = body.integer("top_logprobs", 0, 20);
        if (topLogprobs != null && !logprobs) {
            throw ApiErrors.invalidRequest("'top_logprobs' requires 'logprobs' to be true", "top_logprobs");
        }
        SamplingParams params = new SamplingParams(
                body.number("temperature", 0, 2),
                body.number("top_p", 0, 1),
                maxTokens,
                body.stop(),
                body.longInteger("seed"),
                nOf(body),
                logprobs,
                topLogprobs);
        List<ToolDefinition> tools = tools(body);
        return new ChatRequest(
                model,
                messages,
                tools,
                toolChoice(body),
                params,
                stream,
                includeUsage,
                ForwardedBody.chat(body, messages, tools));
    }

    public static CompletionRequest completion(byte[] bytes) {
        JsonBody body = JsonBody.parse(bytes);
        String model = body.requiredString("model");
        JsonNode promptNode = body.get("prompt");
        if (promptNode == null) {
            throw ApiErrors.missingParameter("prompt");
        }
        String prompt;
        if (promptNode.isString()) {
            prompt = promptNode.stringValue();
        } else if (promptNode.isArray()
                && promptNode.size() == 1
                && promptNode.get(0).isString()) {
            prompt = promptNode.get(0).stringValue();
        } else if (promptNode.isArray()) {
            throw ApiErrors.invalidRequest("'prompt' must be a string or an array of exactly one string", "prompt");
        } else {
            throw ApiErrors.wrongType("prompt", "a string");
        }
        boolean stream = body.bool("stream", false);
        boolean includeUsage = streamOptions(body, stream);
        boolean logprobs = false;
        Integer topLogprobs = body.integer("logprobs", 0, 20);
        if (topLogprobs != null) {
            logprobs = true;
        }
        SamplingParams params = new SamplingParams(
                body.number("temperature", 0, 2),
                body.number("top_p", 0, 1),
                body.integer("max_tokens", 1, Integer.MAX_VALUE),
                body.stop(),
                body.longInteger("seed"),
                nOf(body),
                logprobs,
                topLogprobs);
        return new CompletionRequest(
                model, prompt, params, stream, includeUsage, ForwardedBody.completion(body, prompt));
    }

    private static int nOf(JsonBody body) {
        Integer n = body.integer("n", 1, MAX_N);
        return n == null ? 1 : n;
    }

    private static boolean streamOptions(JsonBody body, boolean stream) {
        JsonNode options = body.get("stream_options");
        if (options == null) {
            return false;
        }
        if (!options.isObject()) {
            throw ApiErrors.wrongType("stream_options", "an object");
        }
        if (!stream) {
            throw ApiErrors.invalidRequest("'stream_options' is only allowed when 'stream' is true", "stream_options");
        }
        return JsonBody.bool(options, "include_usage", false, "stream_options.include_usage");
    }

    public static ChatMessage message(JsonNode node, String param) {
        if (node == null || !node.isObject()) {
            throw ApiErrors.wrongType(param, "a message object");
        }
        JsonNode roleNode = node.get("role");
        if (roleNode == null || roleNode.isNull()) {
            throw ApiErrors.missingParameter(param + ".role");
        }
        if (!roleNode.isString()) {
            throw ApiErrors.wrongType(param + ".role", "a string");
        }
        Role role;
        try {
            role = Role.parse(roleNode.stringValue());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidRequest(
                    "'" + param + ".role' must be one of system, developer, " + "user, assistant or tool; got '"
                            + roleNode.stringValue() + "'",
                    param + ".role");
        }
        List<ToolCall> toolCalls = toolCalls(node.get("tool_calls"), param + ".tool_calls");
        String content =
                content(node.get("content"), param + ".content", role == Role.ASSISTANT && !toolCalls.isEmpty());
        String name = optionalString(node, "name", param);
        String toolCallId = optionalString(node, "tool_call_id", param);
        return new ChatMessage(role, content, name, toolCalls, toolCallId);
    }

    private static String optionalString(JsonNode node, String field, String param) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString()) {
            throw ApiErrors.wrongType(param + "." + field, "a string");
        }
        return n.stringValue();
    }

    /** Content is a string or an array of parts; text parts are joined, anything else is refused, not dropped. */
    private static String content(JsonNode n, String param, boolean mayBeNull) {
        if (n == null || n.isNull()) {
            if (mayBeNull) {
                return "";
            }
            throw ApiErrors.missingParameter(param);
        }
        if (n.isString()) {
            return n.stringValue();
        }
        if (!n.isArray()) {
            throw ApiErrors.wrongType(param, "a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n.size(); i++) {
            JsonNode part = n.get(i);
            String partParam = param + "[" + i + "]";
            if (!part.isObject()
                    || part.get("type") == null
                    || !part.get("type").isString()) {
                throw ApiErrors.wrongType(partParam, "a content part with a 'type'");
            }
            String type = part.get("type").stringValue();
            if (!type.equals("text")) {
                throw ApiErrors.invalidRequest(
                        "content parts of type '" + type
                                + "' are not supported by this gateway's text models; send text parts",
                        partParam + ".type");
            }
            JsonNode t = part.get("text");
            if (t == null || !t.isString()) {
                throw ApiErrors.wrongType(partParam + ".text", "a string");
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(t.stringValue());
        }
        return text.toString();
    }

    private static List<ToolCall> toolCalls(JsonNode n, String param) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiErrors.wrongType(param, "an array");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode call = n.get(i);
            String p = param + "[" + i + "]";
            JsonNode fn = call.get("function");
            if (!call.isObject() || fn == null || !fn.isObject()) {
                throw ApiErrors.wrongType(p, "a tool call with a 'function' object");
            }
            JsonNode name = fn.get("name");
            if (name == null || !name.isString()) {
                throw ApiErrors.missingParameter(p + ".function.name");
            }
            JsonNode args = fn.get("arguments");
            String arguments =
                    args == null || args.isNull() ? "{}" : args.isString() ? args.stringValue() : args.toString();
            JsonNode id = call.get("id");
            calls.add(
                    new ToolCall(id != null && id.isString() ? id.stringValue() : null, name.stringValue(), arguments));
        }
        return calls;
    }

    private static List<ToolDefinition> tools(JsonBody body) {
        JsonNode n = body.get("tools");
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiErrors.wrongType("tools", "an array of tool objects");
        }
        List<ToolDefinition> tools = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String p = "tools[" + i + "]";
            JsonNode tool = n.get(i);
            JsonNode fn = tool == null ? null : tool.get("function");
            if (tool == null || !tool.isObject() || fn == null || !fn.isObject()) {
                throw ApiErrors.wrongType(p, "a tool object with a 'function'");
            }
            JsonNode type = tool.get("type");
            if (type != null && !(type.isString() && type.stringValue().equals("function"))) {
                throw ApiErrors.invalidRequest("only tools of type 'function' are supported", p + ".type");
            }
            JsonNode name = fn.get("name");
            if (name == null || !name.isString() || name.stringValue().isBlank()) {
                throw ApiErrors.missingParameter(p + ".function.name");
            }
            JsonNode description = fn.get("description");
            JsonNode parameters = fn.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiErrors.wrongType(p + ".function.parameters", "a JSON schema object");
            }
            tools.add(new ToolDefinition(
                    name.stringValue(),
                    description != null && description.isString() ? description.stringValue() : null,
                    parameters == null || parameters.isNull() ? "{}" : parameters.toString()));
        }
        return tools;
    }

    private static String toolChoice(JsonBody body) {
        JsonNode n = body.get("tool_choice");
        if (n == null) {
            return null;
        }
        if (n.isString()) {
            String v = n.stringValue();
            if (!v.equals("auto") && !v.equals("none") && !v.equals("required")) {
                throw ApiErrors.invalidRequest(
                        "'tool_choice' must be auto, none, required or an " + "object naming a function",
                        "tool_choice");
            }
            return v;
        }
        if (n.isObject()
                && n.get("function") != null
                && n.get("function").get("name") != null
                && n.get("function").get("name").isString()) {
            return n.get("function").get("name").stringValue();
        }
        throw ApiErrors.wrongType("tool_choice", "a string or an object naming a function");
    }
}
