package dev.warden.guard.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a growing list of tokens into windows. Window {@code k} takes up to {@code firstWindowTokens << k} fresh
 * tokens (the first: {@code firstWindowTokens}), never more than {@code windowTokens - overlapTokens}, and starts
 * {@code overlapTokens} before its fresh part, so what one check judges is bounded by {@code windowTokens}
 * whatever the length of the response. A window ends earlier at the latest sentence boundary within
 * {@code sentenceSlack} tokens before its nominal end; while windows ramp up, the first also ends at its first
 * clause. Windows never wait for tokens beyond their nominal end; the caller may also close the open window
 * early ({@link #closeNow()}) when its time bound has passed.
 */
final class WindowPlanner {

    private final StreamModeration settings;
    private final boolean ramped;
    private final List<String> tokens = new ArrayList<>();
    private int nextIndex;
    private int checkedUpTo;

    WindowPlanner(StreamModeration settings) {
        this.settings = settings;
        this.ramped = settings.firstWindowTokens() < settings.windowTokens();
    }

    /** Adds one token; returns the window it closes, or null. */
    Window add(String token) {
        tokens.add(token);
        if (ramped && nextIndex == 0 && endsClause(token)) {
            return close(tokens.size(), false);
        }
        int nominalEnd = checkedUpTo + freshTokens(nextIndex);
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

    /** Closes the open window now (its time is up), or returns null when it holds no fresh token yet. */
    Window closeNow() {
        return tokens.size() > checkedUpTo ? close(tokens.size(), false) : null;
    }

    /** The stream ended: returns the window holding the tokens no window has checked yet, or null if none. */
    Window finish() {
        return tokens.size() > checkedUpTo ? close(tokens.size(), true) : null;
    }

    int tokenCount() {
        return tokens.size();
    }

    /** Index of the window the next fresh token goes into. */
    int openIndex() {
        return nextIndex;
    }

    /** Whether the open window holds fresh tokens. */
    boolean hasOpenTokens() {
        return tokens.size() > checkedUpTo;
    }

    /** How long the open window may wait for more tokens after its first; zero means no bound. */
    Duration openWait() {
        return nextIndex == 0 ? settings.firstWindowWait() : settings.windowWait();
    }

    private int freshTokens(int index) {
        if (index == 0) {
            return settings.firstWindowTokens();
        }
        int most = settings.windowTokens() - settings.overlapTokens();
        long ramp = (long) settings.firstWindowTokens() << Math.min(index, 20);
        return (int) Math.min(most, ramp);
    }

    private Window close(int end, boolean last) {
        int start = Math.max(0, checkedUpTo - settings.overlapTokens());
        StringBuilder text = new StringBuilder();
        for (int i = start; i < end; i++) {
            text.append(tokens.get(i));
        }
        Window w = new Window(nextIndex++, start, checkedUpTo, end, text.toString(), last);
        checkedUpTo = end;
        return w;
    }

    /**
     * A token ends a sentence when it holds a newline, or when, closing quotes and brackets and trailing spaces
     * aside, its last character is a full stop, question or exclamation mark or ellipsis.
     */
    static boolean endsSentence(String token) {
        return endsWithAnyOf(token, ".!?\u2026");
    }

    /** A sentence end, or a comma, colon or semicolon in the same position. */
    static boolean endsClause(String token) {
        return endsWithAnyOf(token, ".!?\u2026,;:");
    }

    private static boolean endsWithAnyOf(String token, String marks) {
        if (token.indexOf('\n') >= 0) {
            return true;
        }
        for (int i = token.length() - 1; i >= 0; i--) {
            char c = token.charAt(i);
            if (Character.isWhitespace(c)
                    || c == '"'
                    || c == '\''
                    || c == ')'
                    || c == ']'
                    || c == '\u201D'
                    || c == '\u2019') {
                continue;
            }
            return marks.indexOf(c) >= 0;
        }
        return false;
    }
}
