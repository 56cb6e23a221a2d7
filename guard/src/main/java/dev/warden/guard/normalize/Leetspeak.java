package dev.warden.guard.normalize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads leetspeak back as letters ("b0mb" -> "bomb", "h4ck" -> "hack", "$h00t" -> "shoot"). Only words that mix
 * letters with stand-in digits or symbols are rewritten: numbers such as "2024" or "4" stay numbers, and so do
 * hex strings such as commit hashes. Only in text that holds such words is a lone "4" or "@" read as "a".
 */
final class Leetspeak {

    /** A run of letters, digits and the usual stand-in symbols, holding at least one letter. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}0-9@$!|+]*\\p{L}[\\p{L}0-9@$!|+]*");
    /** "hello!" ends a sentence: symbols after the last letter or digit are punctuation, not letters. */
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[@$!|+]+$");

    private static final Pattern LONE_A = Pattern.compile("(?<=^|\\s)[4@](?=\\s)");
    private static final Pattern STAND_IN = Pattern.compile("[0-9@$!|+]");
    /** A capital after a small letter: identifiers and random tokens ("mRcPux0d"), not words written in leet. */
    private static final Pattern CAMEL = Pattern.compile("\\p{Ll}\\p{Lu}");
    /** Longer runs are tokens, keys and encoded blobs, not disguised words. */
    private static final int MAX_WORD = 24;
    /** Hashes, ids and hex numbers ("6162ee1a", "41d4") look like leetspeak but are not words. */
    private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]+");

    private Leetspeak() {}

    static String read(String text) {
        Matcher m = WORD.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            String word = TRAILING_PUNCTUATION.matcher(m.group()).replaceFirst("");
            if (!STAND_IN.matcher(word).find()
                    || HEX.matcher(word).matches()
                    || word.length() > MAX_WORD
                    || CAMEL.matcher(word).find()) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(letters(word));
            last = m.start() + word.length();
        }
        if (out == null) {
            return text;
        }
        // in text already written in leet, a lone "4" or "@" is the article "a" ("build 4 pipe")
        return LONE_A.matcher(out.append(text, last, text.length())).replaceAll("a");
    }

    private static String letters(String word) {
        StringBuilder out = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            out.append(
                    switch (c) {
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
