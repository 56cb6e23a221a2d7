package dev.warden.guard.stream;

/**
 * One stretch of the response that is checked as a unit. Token positions count the text chunks of choice 0 from
 * 0; ranges are half-open.
 *
 * @param index      0 for the first window of the stream
 * @param start      first token checked, the overlap with the previous window included
 * @param freshStart first token no earlier window checked ({@code start + overlap}, or 0 for the first window);
 *                   tokens before it were already judged by the previous window
 * @param end        one past the last token
 * @param text       the text of tokens {@code [start, end)}
 * @param last       whether this is the window closed by the end of the text (a finish reason or the end of
 *                   the stream)
 */
public record Window(int index, int start, int freshStart, int end, String text, boolean last) {

    public Window {
        if (start < 0 || start > freshStart || freshStart >= end) {
            throw new IllegalArgumentException("bad window range [" + start + ", " + freshStart + ", " + end + ")");
        }
    }

    /** Tokens in the window, overlap included. */
    public int tokens() {
        return end - start;
    }
}
