package dev.warden.inference;

import java.util.List;

/**
 * One increment of a streamed generation for one choice: the text delta (possibly empty), whole tool calls once
 * the engine has parsed them, a finish reason on the last chunk of that choice, and the logprobs of the tokens
 * in this delta when asked for. The very last chunk of a stream carries {@code usage} (and may have empty text).
 */
public record StreamChunk(
        int index,
        String text,
        List<ToolCall> toolCalls,
        FinishReason finishReason,
        List<TokenLogprob> logprobs,
        Usage usage) {

    public StreamChunk {
        text = text == null ? "" : text;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static StreamChunk text(int index, String text) {
        return new StreamChunk(index, text, List.of(), null, null, null);
    }

    public static StreamChunk finish(int index, FinishReason reason) {
        return new StreamChunk(index, "", List.of(), reason, null, null);
    }

    public static StreamChunk usage(Usage usage) {
        return new StreamChunk(0, "", List.of(), null, null, usage);
    }
}
