package dev.warden.guard.normalize;

/**
 * Joins letters spread out to dodge a tokenizer: "h o w  t o  m a k e" -> "how to make", "b.o.m.b" -> "bomb".
 * A run needs at least three single letters or digits, each separated by one space or one of {@code . - _ *}
 * (optionally followed by a space); a wider gap (two or more whitespace characters) inside such text marks a word
 * boundary and becomes one space. A lone "a" or "I" in prose is untouched.
 * <p>
 * A hand-written scan rather than a regular expression: Java's regex engine recurses once per repetition of a
 * group, so a long spaced-out text (a client can send 30,000 characters of it) would overflow the stack.
 */
final class SpacedOut {

    private SpacedOut() {}

    static String join(String text) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < text.length()) {
            int unitEnd = unitAt(text, i);
            if (unitEnd < 0) {
                i += Character.charCount(text.codePointAt(i));
                continue;
            }
            // a run: unit (gap unit)*
            StringBuilder joined = new StringBuilder().append(text, i, unitEnd);
            int units = 1;
            boolean narrow = false;
            int end = unitEnd;
            while (true) {
                int gapEnd = narrowGap(text, end);
                boolean wide = false;
                if (gapEnd < 0) {
                    gapEnd = wideGap(text, end);
                    wide = true;
                }
                if (gapEnd < 0) {
                    break;
                }
                int next = unitAt(text, gapEnd);
                if (next < 0) {
                    break;
                }
                narrow |= !wide;
                joined.append(wide ? " " : "").append(text, gapEnd, next);
                units++;
                end = next;
            }
            if (units >= 3 && narrow) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, i).append(joined);
                copied = end;
            }
            i = end;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** End of a single letter or digit (with its combining marks) standing alone at {@code i}, or -1. */
    private static int unitAt(String text, int i) {
        if (i >= text.length() || (i > 0 && isWordChar(text.codePointBefore(i)))) {
            return -1;
        }
        int cp = text.codePointAt(i);
        if (!Character.isLetterOrDigit(cp)) {
            return -1;
        }
        int end = i + Character.charCount(cp);
        while (end < text.length() && isMark(text.codePointAt(end))) {
            end += Character.charCount(text.codePointAt(end));
        }
        if (end < text.length() && isWordChar(text.codePointAt(end))) {
            return -1;
        }
        return end;
    }

    /** One space, or one of {@code . - _ *} optionally followed by one space; -1 if none at {@code i}. */
    private static int narrowGap(String text, int i) {
        if (i >= text.length()) {
            return -1;
        }
        char c = text.charAt(i);
        if (c == ' ') {
            return i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1)) ? -1 : i + 1;
        }
        if (c == '.' || c == '-' || c == '_' || c == '*') {
            return i + 1 < text.length() && text.charAt(i + 1) == ' ' ? i + 2 : i + 1;
        }
        return -1;
    }

    /** Two or more whitespace characters; -1 if none at {@code i}. */
    private static int wideGap(String text, int i) {
        int end = i;
        while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        return end - i >= 2 ? end : -1;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || isMark(cp);
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
