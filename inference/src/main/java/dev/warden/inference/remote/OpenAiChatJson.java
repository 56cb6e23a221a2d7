package dev.warden.inference.remote;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.InferenceException;
import dev.warden.inference.ToolCall;
import dev.warden.inference.ToolDefinition;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Chat messages and tool definitions in OpenAI's wire form. One writer for both bodies that go upstream: the one the
 * gateway writes afresh from a client's parsed request, and the one written for requests built in code, so the two
 * cannot drift apart in what an engine sees.
 */
public final class OpenAiChatJson {

    private OpenAiChatJson() {}

    /** Appends each message; a call's id is left out when it has none (strict servers reject a null id). */
    public static void writeMessages(ArrayNode array, List<ChatMessage> messages) {
        for (ChatMessage m : messages) {
            ObjectNode message = array.addObject().put("role", m.role().wire());
            if (m.content().isEmpty() && !m.toolCalls().isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", m.content());
            }
            if (m.name() != null) {
                message.put("name", m.name());
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall call : m.toolCalls()) {
                    ObjectNode c = calls.addObject();
                    if (call.id() != null) {
                        c.put("id", call.id());
                    }
                    c.put("type", "function")
                            .putObject("function")
                            .put("name", call.name())
                            .put("arguments", call.argumentsJson());
                }
            }
            if (m.toolCallId() != null) {
                message.put("tool_call_id", m.toolCallId());
            }
        }
    }

    /** Appends each tool as a function; its parameters are parsed back into JSON. */
    public static void writeTools(ArrayNode array, List<ToolDefinition> tools) {
        for (ToolDefinition tool : tools) {
            ObjectNode function = array.addObject()
                    .put("type", "function")
                    .putObject("function")
                    .put("name", tool.name());
            if (tool.description() != null) {
                function.put("description", tool.description());
            }
            if (tool.parametersJson() != null) {
                try {
                    function.set("parameters", OpenAiWire.JSON.readTree(tool.parametersJson()));
                } catch (JacksonException e) {
                    throw new InferenceException(
                            InferenceException.Kind.INVALID_REQUEST,
                            "parameters of tool " + tool.name() + " is not valid JSON",
                            null,
                            e);
                }
            }
        }
    }
}
