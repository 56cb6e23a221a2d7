package dev.warden.guard.normalize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins letters spread out to dodge a tokenizer: "h o w  t o  m a k e" -> "how to make", "b.o.m.b" -> "bomb".
 * A run needs at least three single letters or digits, each separated by one space or one of {@code . - _ *};
 * a wider gap (two or more spaces) inside such text marks a word boundary and becomes one space. A lone "a" or
 * "I" in prose is untouched.
 */
final class SpacedOut {

    private static final String CHAR = "[\\p{L}\\p{N}]\\p{M}*";
    private static final String GAP = "(?: |[.\\-_*] ?)";
    /** Single characters joined by narrow gaps, words of them joined by wide gaps (2+ spaces). */
    private static final Pattern RUN = Pattern.compile("(?<![\\p{L}\\p{N}\\p{M}])" + CHAR + "(?:(?:" + GAP + "|\\s{2,})"
            + CHAR + "){2,}(?![\\p{L}\\p{N}\\p{M}])");
    private static final Pattern WIDE = Pattern.compile("\\s{2,}");
    private static final Pattern NARROW = Pattern.compile(GAP);

    private SpacedOut() {
    }

    static String join(String text) {
        Matcher m = RUN.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String run = m.group();
            if (!NARROW.matcher(run).find()) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start());
            String[] words = WIDE.split(run);
            for (int i = 0; i < words.length; i++) {
                out.append(i == 0 ? "" : " ").append(NARROW.matcher(words[i]).replaceAll(""));
            }
            last = m.end();
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }
}
