package dev.warden.inference;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated chat completion request. {@code body} is the JSON a remote engine forwards (with its own model name
 * and stream settings); the gateway writes it from the validated fields only, so that no client text reaches the
 * model unjudged. Engines must not mutate it.
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        List<ToolDefinition> tools,
        String toolChoice,
        SamplingParams params,
        boolean stream,
        boolean includeUsage,
        ObjectNode body) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
