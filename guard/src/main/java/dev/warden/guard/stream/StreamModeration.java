package dev.warden.guard.stream;

import java.time.Duration;

/**
 * How one stream is moderated. Sizes count tokens, where a token is the text of one {@code StreamChunk} of
 * choice 0 (engines emit about one token per chunk).
 * <p>
 * Windows ramp up: the first holds at most {@code firstWindowTokens} tokens and ends early at the first clause
 * or after {@code firstWindowWait}, so a hold-back stream shows its first words after one short window and one
 * check instead of a whole window; each later window may hold twice the fresh tokens of the one before, up to
 * {@code windowTokens}, and ends after {@code windowWait} at the latest, so a slow generation still shows text
 * at a steady pace. Every window is judged together with the {@code overlapTokens} tokens before it (text that
 * was already judged, and in hold-back already released) as context, so the cost of a check is bounded by
 * {@code windowTokens} and does not grow with the length of the response.
 *
 * @param mode              when text may be released
 * @param windowTokens      largest window, context included
 * @param overlapTokens     how many tokens before each window's fresh part it judges again as context, so that a
 *                          phrase split across a window edge is still seen whole
 * @param sentenceSlack     a window ends early at a sentence boundary ({@code . ! ?} or a newline) found within
 *                          this many tokens before its nominal end, so checks see whole sentences; 0 disables it
 * @param maxInFlightChecks how many window checks of this stream may run at once; results are still applied in
 *                          window order
 * @param firstWindowTokens fresh tokens of the first window (equal to {@code windowTokens}: no ramp)
 * @param firstWindowWait   the first window closes this long after its first token at the latest; zero: no bound
 * @param windowWait        every later window closes this long after its first fresh token at the latest; zero:
 *                          no bound
 */
public record StreamModeration(
        StreamMode mode,
        int windowTokens,
        int overlapTokens,
        int sentenceSlack,
        int maxInFlightChecks,
        int firstWindowTokens,
        Duration firstWindowWait,
        Duration windowWait) {

    public static final int DEFAULT_WINDOW_TOKENS = 64;
    public static final int DEFAULT_OVERLAP_TOKENS = 16;
    public static final int DEFAULT_SENTENCE_SLACK = 8;
    public static final int DEFAULT_MAX_IN_FLIGHT_CHECKS = 2;
    public static final int DEFAULT_FIRST_WINDOW_TOKENS = 4;
    public static final Duration DEFAULT_FIRST_WINDOW_WAIT = Duration.ofMillis(20);
    public static final Duration DEFAULT_WINDOW_WAIT = Duration.ofMillis(500);

    public StreamModeration {
        if (mode == null || firstWindowWait == null || windowWait == null) {
            throw new IllegalArgumentException("mode and the waits are required");
        }
        if (windowTokens < 1
                || overlapTokens < 0
                || sentenceSlack < 0
                || maxInFlightChecks < 1
                || firstWindowTokens < 1
                || firstWindowTokens > windowTokens) {
            throw new IllegalArgumentException("windowTokens and maxInFlightChecks must be positive, overlapTokens"
                    + " and sentenceSlack not negative, firstWindowTokens between 1 and windowTokens");
        }
        if (firstWindowWait.isNegative() || windowWait.isNegative()) {
            throw new IllegalArgumentException("the waits must not be negative");
        }
        // Every window must bring at least one token the previous one did not check, or the stream would stall.
        if (windowTokens - sentenceSlack - overlapTokens < 1) {
            throw new IllegalArgumentException("windowTokens (" + windowTokens + ") must exceed overlapTokens ("
                    + overlapTokens + ") + sentenceSlack (" + sentenceSlack + ")");
        }
    }

    /**
     * Hold-back; a first window of 4 tokens or 20 ms, then windows doubling up to 64 tokens (16 of them context)
     * and closing after 500 ms at the latest; sentence slack 8; two checks at a time.
     */
    public static StreamModeration defaults() {
        return of(StreamMode.HOLD_BACK);
    }

    /** The default sizes with the given mode. */
    public static StreamModeration of(StreamMode mode) {
        return new StreamModeration(
                mode,
                DEFAULT_WINDOW_TOKENS,
                DEFAULT_OVERLAP_TOKENS,
                DEFAULT_SENTENCE_SLACK,
                DEFAULT_MAX_IN_FLIGHT_CHECKS,
                DEFAULT_FIRST_WINDOW_TOKENS,
                DEFAULT_FIRST_WINDOW_WAIT,
                DEFAULT_WINDOW_WAIT);
    }

    public StreamModeration withMode(StreamMode mode) {
        return new StreamModeration(
                mode,
                windowTokens,
                overlapTokens,
                sentenceSlack,
                maxInFlightChecks,
                firstWindowTokens,
                firstWindowWait,
                windowWait);
    }

    /** Other window sizes; the first window is clamped to the new largest one. */
    public StreamModeration withWindow(int windowTokens, int overlapTokens, int sentenceSlack) {
        return new StreamModeration(
                mode,
                windowTokens,
                overlapTokens,
                sentenceSlack,
                maxInFlightChecks,
                Math.min(firstWindowTokens, windowTokens),
                firstWindowWait,
                windowWait);
    }

    public StreamModeration withMaxInFlightChecks(int maxInFlightChecks) {
        return new StreamModeration(
                mode,
                windowTokens,
                overlapTokens,
                sentenceSlack,
                maxInFlightChecks,
                firstWindowTokens,
                firstWindowWait,
                windowWait);
    }

    /** The ramp: the first window's size and time bound, and the time bound of every later window. */
    public StreamModeration withRamp(int firstWindowTokens, Duration firstWindowWait, Duration windowWait) {
        return new StreamModeration(
                mode,
                windowTokens,
                overlapTokens,
                sentenceSlack,
                maxInFlightChecks,
                firstWindowTokens,
                firstWindowWait,
                windowWait);
    }

    /** Windows of {@code windowTokens} from the first, closed by tokens only (no ramp, no time bounds). */
    public StreamModeration fixedWindows() {
        return withRamp(windowTokens, Duration.ZERO, Duration.ZERO);
    }
}
