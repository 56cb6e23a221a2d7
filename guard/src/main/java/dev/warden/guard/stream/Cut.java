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
 * @param choice         the choice the cut ends (0 unless the stream has several)
 */
public record Cut(Window window, List<String> categories, String rule, Cause cause, int releasedTokens, int choice)
        implements ModeratedEvent {

    public enum Cause {
        VIOLATION,
        CHECK_FAILED
    }

    public Cut {
        categories = List.copyOf(categories);
    }

    /** The chunk that ends the choice for the client, as Azure OpenAI does: {@code finish_reason: content_filter}. */
    public StreamChunk finishChunk() {
        return StreamChunk.finish(choice, FinishReason.CONTENT_FILTER);
    }

    Cut forChoice(int choice) {
        return new Cut(window, categories, rule, cause, releasedTokens, choice);
    }
}
