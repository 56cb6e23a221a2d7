package dev.warden.guard.promptguard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link TextNormalisation#JOIN_SPACED_LETTERS}: "please I g n o r e previous" -> "please Ignore previous". Only
 * runs of at least three single letters or digits, each separated by whitespace alone, are joined: a lone "a" or
 * "I" in prose is untouched, and so is every other character of the text.
 */
final class SpacedLetters {

    private static final Pattern RUN = Pattern.compile(
            "(?<![\\p{L}\\p{N}\\p{M}])[\\p{L}\\p{N}]\\p{M}*(?:[\\s\\p{Z}]+[\\p{L}\\p{N}]\\p{M}*){2,}(?![\\p{L}\\p{N}\\p{M}])");
    private static final Pattern SPACE = Pattern.compile("[\\s\\p{Z}]+");

    private SpacedLetters() {}

    static String join(String text) {
        Matcher m = RUN.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            m.appendReplacement(
                    out, Matcher.quoteReplacement(SPACE.matcher(m.group()).replaceAll("")));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }
}
