package dev.warden.guard.stream;

import dev.warden.inference.Usage;

/**
 * What happened to one moderated stream, for the audit record. It is the last event when the stream completes or
 * is cut, and it is also handed to the optional end callback on every termination (error and cancel included).
 *
 * @param mode           the mode used
 * @param outcome        how the stream ended
 * @param tokensReceived text chunks of choice 0 received from upstream (the generated tokens, approximately, when
 *                       a cut left no usage chunk)
 * @param tokensReleased text chunks released to the client
 * @param windowsChecked checks that returned (passed or failed)
 * @param cut            the cut, when the outcome is {@link Outcome#CUT}, else null
 * @param usage          the upstream's usage when its usage chunk arrived (even if a cut then kept it from the
 *                       client), else null
 * @param error          the upstream error message when the outcome is {@link Outcome#UPSTREAM_FAILED}, else null
 */
public record ModerationSummary(
        StreamMode mode,
        Outcome outcome,
        int tokensReceived,
        int tokensReleased,
        int windowsChecked,
        Cut cut,
        Usage usage,
        String error)
        implements ModeratedEvent {

    public enum Outcome {
        /** Every window passed and everything was released. */
        COMPLETED,
        /** A window failed; see {@link #cut()}. */
        CUT,
        /** The upstream (or the moderator itself) failed; the Flux ended with that error. */
        UPSTREAM_FAILED,
        /** The subscriber cancelled (client disconnect). */
        CANCELLED
    }

    /** The failed window, or null. */
    public Window failedWindow() {
        return cut == null ? null : cut.window();
    }
}
