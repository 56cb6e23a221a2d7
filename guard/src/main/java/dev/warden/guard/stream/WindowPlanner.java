package dev.warden.guard.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a growing list of tokens into overlapping windows. A window nominally spans {@code windowTokens} tokens
 * from its start; it ends earlier at the latest sentence boundary within {@code sentenceSlack} tokens before that
 * nominal end. The next window starts {@code overlapTokens} before the previous one ended. Windows never wait for
 * tokens beyond their nominal end, so hold-back latency is bounded by the window length.
 */
final class WindowPlanner {

    private final StreamModeration settings;
    private final List<String> tokens = new ArrayList<>();
    private int nextIndex;
    private int nextStart;
    private int checkedUpTo;

    WindowPlanner(StreamModeration settings) {
        this.settings = settings;
    }

    /** Adds one token; returns the window it closes, or null. */
    Window add(String token) {
        tokens.add(token);
        int nominalEnd = nextStart + settings.windowTokens();
        if (tokens.size() < nominalEnd) {
            return null;
        }
        int end = nominalEnd;
        int earliest = Math.max(checkedUpTo + 1, nominalEnd - settings.sentenceSlack());
        for (int e = nominalEnd; e >= earliest; e--) {
            if (endsSentence(tokens.get(e - 1))) {
                end = e;
                break;
            }
        }
        return close(end, false);
    }

    /** The stream ended: returns the window holding the tokens no window has checked yet, or null if none. */
    Window finish() {
        return tokens.size() > checkedUpTo ? close(tokens.size(), true) : null;
    }

    int tokenCount() {
        return tokens.size();
    }

    private Window close(int end, boolean last) {
        int start = Math.min(nextStart, checkedUpTo);
        StringBuilder text = new StringBuilder();
        for (int i = start; i < end; i++) {
            text.append(tokens.get(i));
        }
        Window w = new Window(nextIndex++, start, checkedUpTo, end, text.toString(), last);
        checkedUpTo = end;
        nextStart = Math.max(0, end - settings.overlapTokens());
        return w;
    }

    /**
     * A token ends a sentence when it holds a newline, or when, closing quotes and brackets and trailing spaces
     * aside, its last character is a full stop, question or exclamation mark or ellipsis.
     */
    static boolean endsSentence(String token) {
        if (token.indexOf('\n') >= 0) {
            return true;
        }
        for (int i = token.length() - 1; i >= 0; i--) {
            char c = token.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == ')' || c == ']' || c == '\u201D'
                    || c == '\u2019') {
                continue;
            }
            return c == '.' || c == '!' || c == '?' || c == '\u2026';
        }
        return false;
    }
}
