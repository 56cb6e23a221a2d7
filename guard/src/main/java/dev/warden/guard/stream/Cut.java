package dev.warden.guard.stream;

import dev.warden.inference.FinishReason;
import dev.warden.inference.StreamChunk;
import java.util.List;

/**
 * The stream was stopped because a window failed. The upstream has been cancelled; nothing of the response is
 * released after this event, and the usage chunk will not arrive (see {@link ModerationSummary#tokensReceived()}).
 *
 * @param window         the window that failed
 * @param categories     the labels that fired (empty when the check itself failed)
 * @param rule           the deciding rule, or {@code check failed: <reason>}
 * @param cause          a judged violation, or a check that failed and was not mapped by the gateway
 * @param releasedTokens tokens the client had received before the cut
 */
public record Cut(Window window, List<String> categories, String rule, Cause cause, int releasedTokens)
        implements ModeratedEvent {

    public enum Cause {
        VIOLATION, CHECK_FAILED
    }

    public Cut {
        categories = List.copyOf(categories);
    }

    /** The chunk that ends choice 0 for the client, as Azure OpenAI does: {@code finish_reason: content_filter}. */
    public StreamChunk finishChunk() {
        return StreamChunk.finish(0, FinishReason.CONTENT_FILTER);
    }
}
