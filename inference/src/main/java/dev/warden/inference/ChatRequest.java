package dev.warden.inference;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated chat completion request. {@code body} is the client's JSON as received, so that a remote engine
 * can forward fields this gateway does not interpret; engines must not mutate it.
 */
public record ChatRequest(String model, List<ChatMessage> messages, List<ToolDefinition> tools, String toolChoice,
                          SamplingParams params, boolean stream, boolean includeUsage, ObjectNode body) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
