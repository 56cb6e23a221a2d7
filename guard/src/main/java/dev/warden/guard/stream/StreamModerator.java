package dev.warden.guard.stream;

import dev.warden.inference.StreamChunk;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Moderates a streamed generation window by window so that streaming is never a way around the output guard.
 * <p>
 * This method moderates choice 0 only: a chunk of any other choice ends the Flux with an
 * {@link UnsupportedOperationException}; streams of several choices go through
 * {@link #moderate(Flux, int, StreamModeration, WindowCheck, Consumer)}. A token is
 * the text of one chunk. The returned Flux emits, in the upstream's order:
 * <ul>
 *   <li>{@link Release} for each chunk the client may now receive. {@link StreamMode#HOLD_BACK}: a text chunk once
 *       the window holding it passed; {@link StreamMode#OPTIMISTIC}: at once; {@link StreamMode#BUFFER}: all at
 *       the end. Chunks with neither text nor finish reason nor usage (tool-call deltas) travel with the text
 *       before them. Chunks with a finish reason or usage are released, in every mode, only after the upstream
 *       completed and every window, the final partial one included, passed; so the usage chunk reaches the
 *       gateway exactly when the whole response was judged safe.</li>
 *   <li>On a failed window: one {@link Cut}. The upstream subscription and any check in flight are cancelled first
 *       (that frees the engine slot or upstream connection), nothing more is released, and the finish and usage
 *       chunks are not released: the gateway ends the choice with {@link Cut#finishChunk()} and accounts with
 *       {@link ModerationSummary#tokensReceived()} (or {@link ModerationSummary#usage()} when the usage chunk had
 *       arrived before the cut).</li>
 *   <li>Last, one {@link ModerationSummary}, then completion.</li>
 * </ul>
 * An upstream error ends the Flux with that error after cancelling the checks; text not yet released is dropped.
 * Cancelling the returned Flux cancels the upstream and every check in flight. Subscribing twice moderates two
 * subscriptions of the upstream independently.
 */
public final class StreamModerator {

    public Flux<ModeratedEvent> moderate(Flux<StreamChunk> upstream, StreamModeration settings, WindowCheck check) {
        return moderate(upstream, settings, check, null);
    }

    /**
     * As {@link #moderate(Flux, StreamModeration, WindowCheck)}, and calls {@code onEnd} exactly once per
     * subscription with the summary however the stream ends: completed, cut, failed or cancelled by the
     * subscriber (the audit record needs the last two as well, where no summary event reaches anyone).
     */
    public Flux<ModeratedEvent> moderate(
            Flux<StreamChunk> upstream,
            StreamModeration settings,
            WindowCheck check,
            Consumer<ModerationSummary> onEnd) {
        if (upstream == null || settings == null || check == null) {
            throw new IllegalArgumentException("upstream, settings and check are required");
        }
        return Flux.create(
                sink -> new ModerationRun(sink, settings, check, onEnd).start(upstream),
                FluxSink.OverflowStrategy.BUFFER);
    }

    /**
     * As {@link #moderate(Flux, StreamModeration, WindowCheck, Consumer)} for a stream of {@code choices}
     * choices ({@code n}): each choice is moderated on its own, as if it were the only one, with its own windows,
     * releases and cut ({@link Cut#choice()} names it; a cut ends that choice only, the generation of the others
     * goes on). Releases keep their choice index. The usage chunk, which covers all choices, is released after
     * every choice ended, if at least one was released whole; then one {@link ModerationSummary} sums up the
     * choices (cut when any was, with the first cut). With one choice this is exactly the single-choice method.
     */
    public Flux<ModeratedEvent> moderate(
            Flux<StreamChunk> upstream,
            int choices,
            StreamModeration settings,
            WindowCheck check,
            Consumer<ModerationSummary> onEnd) {
        if (choices < 1) {
            throw new IllegalArgumentException("choices must be at least 1");
        }
        if (choices == 1) {
            return moderate(upstream, settings, check, onEnd);
        }
        if (upstream == null || settings == null || check == null) {
            throw new IllegalArgumentException("upstream, settings and check are required");
        }
        return new ChoiceModeration(this, choices, settings, check, onEnd).moderate(upstream);
    }
}
