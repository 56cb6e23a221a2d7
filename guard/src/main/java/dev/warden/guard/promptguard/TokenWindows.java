package dev.warden.guard.promptguard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a token sequence into model-sized windows. Each window holds at most {@code maxLength} ids including the
 * tokenizer's special prefix and suffix ({@code [CLS]} ... {@code [SEP]}), and consecutive windows share
 * {@code overlap} content tokens, so a phrase cut by one boundary is whole in the next window. Meta's reference
 * cuts 512-character slices without overlap; token windows use the whole context and miss nothing at the seams.
 */
record TokenWindows(long[] prefix, long[] suffix, int maxLength, int overlap) {

    TokenWindows {
        int content = maxLength - prefix.length - suffix.length;
        if (content < 1) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for content");
        }
        if (overlap < 0 || overlap >= content) {
            throw new IllegalArgumentException("overlap must be in [0, " + content + ")");
        }
    }

    List<long[]> split(long[] ids) {
        int content = maxLength - prefix.length - suffix.length;
        int step = content - overlap;
        List<long[]> windows = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = Math.min(start + content, ids.length);
            windows.add(wrap(Arrays.copyOfRange(ids, start, end)));
            if (end >= ids.length) {
                return windows;
            }
            start += step;
        }
    }

    private long[] wrap(long[] content) {
        long[] window = new long[prefix.length + content.length + suffix.length];
        System.arraycopy(prefix, 0, window, 0, prefix.length);
        System.arraycopy(content, 0, window, prefix.length, content.length);
        System.arraycopy(suffix, 0, window, prefix.length + content.length, suffix.length);
        return window;
    }
}
