package dev.warden.guard.stream;

/**
 * How one stream is moderated. Sizes count tokens, where a token is the text of one {@code StreamChunk} of
 * choice 0 (engines emit about one token per chunk).
 *
 * @param mode              when text may be released
 * @param windowTokens      nominal window length, overlap included
 * @param overlapTokens     how many tokens of the previous window each window checks again as context, so that a
 *                          phrase split across a window edge is still seen whole
 * @param sentenceSlack     a window ends early at a sentence boundary ({@code . ! ?} or a newline) found within
 *                          this many tokens before its nominal end, so checks see whole sentences; 0 disables it
 * @param maxInFlightChecks how many window checks of this stream may run at once; results are still applied in
 *                          window order. 1 keeps the classifier load of one stream at one call.
 */
public record StreamModeration(StreamMode mode, int windowTokens, int overlapTokens, int sentenceSlack,
                               int maxInFlightChecks) {

    public static final int DEFAULT_WINDOW_TOKENS = 64;
    public static final int DEFAULT_OVERLAP_TOKENS = 16;
    public static final int DEFAULT_SENTENCE_SLACK = 8;

    public StreamModeration {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (windowTokens < 1 || overlapTokens < 0 || sentenceSlack < 0 || maxInFlightChecks < 1) {
            throw new IllegalArgumentException("windowTokens and maxInFlightChecks must be positive, overlapTokens"
                    + " and sentenceSlack not negative");
        }
        // Every window must bring at least one token the previous one did not check, or the stream would stall.
        if (windowTokens - sentenceSlack - overlapTokens < 1) {
            throw new IllegalArgumentException("windowTokens (" + windowTokens + ") must exceed overlapTokens ("
                    + overlapTokens + ") + sentenceSlack (" + sentenceSlack + ")");
        }
    }

    /** Hold-back, 64-token windows overlapping by 16, sentence slack 8, one check at a time. */
    public static StreamModeration defaults() {
        return of(StreamMode.HOLD_BACK);
    }

    /** The default sizes with the given mode. */
    public static StreamModeration of(StreamMode mode) {
        return new StreamModeration(mode, DEFAULT_WINDOW_TOKENS, DEFAULT_OVERLAP_TOKENS, DEFAULT_SENTENCE_SLACK, 1);
    }

    public StreamModeration withMode(StreamMode mode) {
        return new StreamModeration(mode, windowTokens, overlapTokens, sentenceSlack, maxInFlightChecks);
    }

    public StreamModeration withWindow(int windowTokens, int overlapTokens, int sentenceSlack) {
        return new StreamModeration(mode, windowTokens, overlapTokens, sentenceSlack, maxInFlightChecks);
    }

    public StreamModeration withMaxInFlightChecks(int maxInFlightChecks) {
        return new StreamModeration(mode, windowTokens, overlapTokens, sentenceSlack, maxInFlightChecks);
    }
}
