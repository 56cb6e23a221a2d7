package dev.warden.gateway.responses;

import dev.warden.gateway.api.ApiErrors;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code POST /v1/responses} body, translated into the chat completions body the rest of the gateway already
 * validates, guards, forwards and audits: {@code instructions} become the system turn, {@code input} items become
 * messages (function calls an assistant turn with tool calls, their outputs tool turns), the conversation of a
 * stored {@code previous_response_id} goes first. What the Responses API has and chat has not (hosted tools,
 * images, files, background runs) is refused naming the field, never dropped silently.
 *
 * @param chatBody the chat completions request body
 * @param echo     the request fields a Response object repeats back (instructions, tools, text, ...)
 * @param history  the conversation to store for a later {@code previous_response_id}: the turns before this
 *                 request's output, without the instructions (which OpenAI does not carry over either)
 */
public record ResponsesRequest(
        byte[] chatBody,
        ObjectNode echo,
        ArrayNode history,
        String model,
        boolean stream,
        boolean store,
        String previousResponseId) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    // Read: model, input, instructions, tools, tool_choice, temperature, top_p, max_output_tokens,
    // parallel_tool_calls, text.format, stream, store, previous_response_id, metadata and user (echoed). Any other
    // field (user ids, cache keys, service tier, reasoning, include, truncation, ...) is not forwarded, as on the chat
    // path: it changes nothing a self-hosted model does, or only OpenAI's bookkeeping.
    /** Responses features this gateway does not offer: refused, so a client does not believe they took effect. */
    private static final Set<String> REFUSED = Set.of("background", "conversation", "prompt", "context_management");

    /** Parses the body; {@code previous} is the stored conversation of {@code previous_response_id}, or null. */
    public static ResponsesRequest parse(byte[] bytes, java.util.function.Function<String, ArrayNode> previous) {
        if (bytes == null || bytes.length == 0) {
            throw ApiErrors.invalidRequest("the request body is empty; send a JSON object", null);
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiErrors.invalidJson(e);
        }
        if (parsed == null || !parsed.isObject()) {
            throw ApiErrors.invalidRequest("the request body must be a JSON object", null);
        }
        ObjectNode body = (ObjectNode) parsed;
        for (String field : REFUSED) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue())) {
                throw ApiErrors.invalidRequest("'" + field + "' is not supported by this gateway", field);
            }
        }
        String model = string(body, "model", true);
        boolean stream = bool(body, "stream", false);
        boolean store = bool(body, "store", true);
        String previousId = string(body, "previous_response_id", false);

        ObjectNode chat = JSON.createObjectNode();
        chat.put("model", model);
        ArrayNode messages = chat.putArray("messages");
        String instructions = string(body, "instructions", false);
        if (instructions != null) {
            messages.addObject().put("role", "system").put("content", instructions);
        }
        ArrayNode history = JSON.createArrayNode();
        if (previousId != null) {
            ArrayNode before = previous.apply(previousId);
            if (before == null) {
                throw ApiErrors.previousResponseNotFound("Previous response with id '"
                        + previousId + "' not found: it was not stored (store: false), has expired, or belongs "
                        + "to another tenant");
            }
            before.forEach(m -> history.add(m.deepCopy()));
        }
        input(body.get("input"), history);
        history.forEach(m -> messages.add(m.deepCopy()));
        if (messages.isEmpty()) {
            throw ApiErrors.missingParameter("input");
        }
        tools(body.get("tools"), chat);
        toolChoice(body.get("tool_choice"), chat);
        for (String field : new String[] {"temperature", "top_p", "parallel_tool_calls"}) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull()) {
                chat.set(field, v.deepCopy());
            }
        }
        JsonNode maxOutput = body.get("max_output_tokens");
        if (maxOutput != null && !maxOutput.isNull()) {
            if (!maxOutput.isIntegralNumber() || !maxOutput.canConvertToInt() || maxOutput.intValue() < 1) {
                throw ApiErrors.invalidRequest("'max_output_tokens' must be a positive integer", "max_output_tokens");
            }
            chat.put("max_tokens", maxOutput.intValue());
        }
        textFormat(body.get("text"), chat);
        if (stream) {
            chat.put("stream", true);
            // the Response a stream ends with reports usage: ask for it (the gateway counts when the engine does not)
            chat.putObject("stream_options").put("include_usage", true);
        }
        return new ResponsesRequest(
                JSON.writeValueAsBytes(chat), echo(body), history, model, stream, store, previousId);
    }

    /** {@code input}: a string (one user turn) or an array of items. */
    private static void input(JsonNode input, ArrayNode out) {
        if (input == null || input.isNull()) {
            throw ApiErrors.missingParameter("input");
        }
        if (input.isString()) {
            out.addObject().put("role", "user").put("content", input.stringValue());
            return;
        }
        if (!input.isArray()) {
            throw ApiErrors.wrongType("input", "a string or an array of input items");
        }
        for (int i = 0; i < input.size(); i++) {
            item(input.get(i), "input[" + i + "]", out);
        }
    }

    private static void item(JsonNode item, String param, ArrayNode out) {
        if (!item.isObject()) {
            throw ApiErrors.wrongType(param, "an input item object");
        }
        JsonNode typeNode = item.get("type");
        String type = typeNode == null || typeNode.isNull() ? "message" : typeNode.asString();
        switch (type) {
            case "message" -> {
                String role = string(item, "role", true, param + ".role");
                if (!Set.of("user", "assistant", "system", "developer").contains(role)) {
                    throw ApiErrors.invalidRequest(
                            "'" + param + ".role' must be user, assistant, system or developer", param + ".role");
                }
                out.addObject().put("role", role).put("content", content(item.get("content"), param + ".content"));
            }
            case "function_call" -> {
                ObjectNode call = JSON.createObjectNode();
                call.put("id", string(item, "call_id", true, param + ".call_id"));
                call.put("type", "function");
                call.putObject("function")
                        .put("name", string(item, "name", true, param + ".name"))
                        .put("arguments", string(item, "arguments", true, param + ".arguments"));
                // consecutive calls are one assistant turn, as chat writes them
                JsonNode last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && last.path("role").asString("").equals("assistant") && last.has("tool_calls")) {
                    ((ArrayNode) last.get("tool_calls")).add(call);
                } else {
                    ObjectNode turn = out.addObject().put("role", "assistant");
                    turn.putNull("content");
                    turn.putArray("tool_calls").add(call);
                }
            }
            case "function_call_output" -> {
                JsonNode output = item.get("output");
                String text = output != null && output.isArray()
                        ? content(output, param + ".output")
                        : string(item, "output", true, param + ".output");
                out.addObject()
                        .put("role", "tool")
                        .put("tool_call_id", string(item, "call_id", true, param + ".call_id"))
                        .put("content", text);
            }
            default ->
                throw ApiErrors.invalidRequest(
                        "input items of type '" + type
                                + "' are not supported by this gateway; send message, function_call or function_call_output",
                        param + ".type");
        }
    }

    /** A message's content: a string, or text parts joined by newlines (anything else is refused). */
    private static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            throw ApiErrors.missingParameter(param);
        }
        if (content.isString()) {
            return content.stringValue();
        }
        if (!content.isArray()) {
            throw ApiErrors.wrongType(param, "a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String p = param + "[" + i + "]";
            String type = part.path("type").asString("");
            if (!Set.of("input_text", "output_text", "text").contains(type)) {
                throw ApiErrors.invalidRequest(
                        "content parts of type '" + type
                                + "' are not supported by this gateway's text models; send input_text parts",
                        p + ".type");
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(string(part, "text", true, p + ".text"));
        }
        return text.toString();
    }

    /** Function tools only: hosted tools (web search, file search, ...) do not exist here. */
    private static void tools(JsonNode tools, ObjectNode chat) {
        if (tools == null || tools.isNull()) {
            return;
        }
        if (!tools.isArray()) {
            throw ApiErrors.wrongType("tools", "an array of tool objects");
        }
        if (tools.isEmpty()) {
            return;
        }
        ArrayNode out = chat.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String p = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw ApiErrors.wrongType(p, "a tool object");
            }
            String type = tool.path("type").asString("");
            if (!type.equals("function")) {
                throw ApiErrors.invalidRequest(
                        "tools of type '" + type + "' are not supported by this gateway; only function tools are",
                        p + ".type");
            }
            ObjectNode fn = out.addObject().put("type", "function").putObject("function");
            fn.put("name", string(tool, "name", true, p + ".name"));
            String description = string(tool, "description", false, p + ".description");
            if (description != null) {
                fn.put("description", description);
            }
            JsonNode parameters = tool.get("parameters");
            if (parameters != null && !parameters.isNull()) {
                fn.set("parameters", parameters.deepCopy());
            }
        }
    }

    private static void toolChoice(JsonNode choice, ObjectNode chat) {
        if (choice == null || choice.isNull()) {
            return;
        }
        if (choice.isString()) {
            chat.put("tool_choice", choice.stringValue());
            return;
        }
        if (choice.isObject() && choice.path("type").asString("").equals("function") && choice.has("name")) {
            chat.putObject("tool_choice")
                    .put("type", "function")
                    .putObject("function")
                    .put("name", string(choice, "name", true, "tool_choice.name"));
            return;
        }
        throw ApiErrors.invalidRequest(
                "'tool_choice' must be auto, none, required or " + "{\"type\": \"function\", \"name\": ...}",
                "tool_choice");
    }

    /** {@code text.format}: text, json_object, or json_schema (name, schema, strict) as chat's response_format. */
    private static void textFormat(JsonNode text, ObjectNode chat) {
        JsonNode format = text == null ? null : text.get("format");
        if (format == null || format.isNull()) {
            return;
        }
        String type = format.path("type").asString("");
        switch (type) {
            case "text", "json_object" -> chat.putObject("response_format").put("type", type);
            case "json_schema" -> {
                ObjectNode schema = chat.putObject("response_format")
                        .put("type", "json_schema")
                        .putObject("json_schema");
                schema.put("name", string(format, "name", true, "text.format.name"));
                for (String field : new String[] {"schema", "strict", "description"}) {
                    JsonNode v = format.get(field);
                    if (v != null && !v.isNull()) {
                        schema.set(field, v.deepCopy());
                    }
                }
            }
            default ->
                throw ApiErrors.invalidRequest(
                        "'text.format.type' must be text, json_object or json_schema", "text.format.type");
        }
    }

    /** What a Response object repeats of its request, with OpenAI's defaults where the request is silent. */
    private static ObjectNode echo(ObjectNode body) {
        ObjectNode echo = JSON.createObjectNode();
        echo.set(
                "instructions",
                body.has("instructions") ? body.get("instructions").deepCopy() : JSON.nullNode());
        echo.set(
                "max_output_tokens",
                body.has("max_output_tokens") ? body.get("max_output_tokens").deepCopy() : JSON.nullNode());
        echo.set("metadata", body.get("metadata") instanceof ObjectNode m ? m.deepCopy() : JSON.createObjectNode());
        echo.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
        echo.set(
                "previous_response_id",
                body.has("previous_response_id")
                        ? body.get("previous_response_id").deepCopy()
                        : JSON.nullNode());
        echo.putObject("reasoning").putNull("effort").putNull("summary");
        echo.put("store", body.path("store").asBoolean(true));
        echo.put("temperature", body.path("temperature").asDouble(1.0));
        echo.set(
                "text",
                body.get("text") instanceof ObjectNode t
                        ? t.deepCopy()
                        : JSON.createObjectNode()
                                .set("format", JSON.createObjectNode().put("type", "text")));
        echo.set(
                "tool_choice", body.has("tool_choice") ? body.get("tool_choice").deepCopy() : JSON.stringNode("auto"));
        echo.set("tools", body.get("tools") instanceof ArrayNode t ? t.deepCopy() : JSON.createArrayNode());
        echo.put("top_p", body.path("top_p").asDouble(1.0));
        echo.put("truncation", "disabled");
        echo.set("user", body.has("user") ? body.get("user").deepCopy() : JSON.nullNode());
        return echo;
    }

    private static String string(JsonNode node, String field, boolean required) {
        return string(node, field, required, field);
    }

    private static String string(JsonNode node, String field, boolean required, String param) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiErrors.missingParameter(param);
            }
            return null;
        }
        if (!v.isString()) {
            throw ApiErrors.wrongType(param, "a string");
        }
        return v.stringValue();
    }

    private static boolean bool(JsonNode node, String field, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiErrors.wrongType(field, "a boolean");
        }
        return v.booleanValue();
    }
}
