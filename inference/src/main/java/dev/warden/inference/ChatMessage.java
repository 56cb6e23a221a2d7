package dev.warden.inference;

import java.util.List;

/**
 * One turn of a conversation. {@code content} is the text (parts already joined); {@code toolCalls} is set on
 * assistant turns that called tools, {@code toolCallId} on tool results.
 */
public record ChatMessage(Role role, String content, String name, List<ToolCall> toolCalls, String toolCallId) {

    public ChatMessage {
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage of(Role role, String content) {
        return new ChatMessage(role, content, null, List.of(), null);
    }
}
