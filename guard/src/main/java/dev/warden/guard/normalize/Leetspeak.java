package dev.warden.guard.normalize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads leetspeak back as letters ("b0mb" -> "bomb", "h4ck" -> "hack", "$h00t" -> "shoot"). Only words that mix
 * letters with stand-in digits or symbols are rewritten: numbers such as "2024" or "4" stay numbers.
 */
final class Leetspeak {

    /** A run of letters, digits and the usual stand-in symbols, holding at least one letter. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}0-9@$!|+]*\\p{L}[\\p{L}0-9@$!|+]*");
    private static final Pattern STAND_IN = Pattern.compile("[0-9@$!|+]");

    private Leetspeak() {
    }

    static String read(String text) {
        Matcher m = WORD.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String word = m.group();
            if (!STAND_IN.matcher(word).find()) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(letters(word));
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        return out.append(text, last, text.length()).toString();
    }

    private static String letters(String word) {
        StringBuilder out = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            out.append(switch (c) {
                case '0' -> 'o';
                case '1', '!', '|' -> 'i';
                case '2' -> 'z';
                case '3' -> 'e';
                case '4', '@' -> 'a';
                case '5', '$' -> 's';
                case '6' -> 'g';
                case '7', '+' -> 't';
                case '8' -> 'b';
                case '9' -> 'g';
                default -> c;
            });
        }
        return out.toString();
    }
}
