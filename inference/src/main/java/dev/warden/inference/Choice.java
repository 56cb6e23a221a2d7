package dev.warden.inference;

import java.util.List;

/** One finished choice of a generation: text, tool calls (chat only), why it stopped, logprobs if asked. */
public record Choice(
        int index, String text, List<ToolCall> toolCalls, FinishReason finishReason, List<TokenLogprob> logprobs) {

    public Choice {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        logprobs = logprobs == null ? null : List.copyOf(logprobs);
    }
}
