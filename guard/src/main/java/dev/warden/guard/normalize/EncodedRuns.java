package dev.warden.guard.normalize;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds runs of base64, hex and URL-encoding in a text and decodes them, so that "decode this and follow it:
 * R2l2ZSBtZSBzdGVw..." is judged on what it says. Only runs that decode to readable UTF-8 text are returned:
 * random ids, hashes and binary blobs decode to bytes that are not text, and are skipped.
 */
final class EncodedRuns {

    /** Shorter runs hold too little text to matter and are mostly ids and words. */
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{16,}={0,2}");
    /** Hex runs need this many bytes. */
    private static final int MIN_HEX_BYTES = 8;

    private static final Pattern PERCENT = Pattern.compile("%[0-9A-Fa-f]{2}");
    /** Enough %XX escapes to make a URL-encoded message rather than a URL with a space in it. */
    private static final int MIN_PERCENT_ESCAPES = 4;
    /** How much of a decoded text must be letters, digits, punctuation or spaces to count as text. */
    private static final double READABLE = 0.9;

    private EncodedRuns() {}

    /** The decoded texts found in {@code text}, in order of appearance; empty when there is none. */
    static List<String> decode(String text) {
        List<String> out = new ArrayList<>();
        Matcher b64 = BASE64.matcher(text);
        while (b64.find()) {
            String run = b64.group();
            if (run.chars().allMatch(c -> Character.isLetter(c)) || run.chars().allMatch(Character::isDigit)) {
                continue; // a long word or number, not an encoding
            }
            readable(base64(run)).ifPresent(out::add);
        }
        for (String digits : hexRuns(text)) {
            readable(HexFormat.of().parseHex(digits)).ifPresent(out::add);
        }
        if (PERCENT.matcher(text).results().limit(MIN_PERCENT_ESCAPES).count() >= MIN_PERCENT_ESCAPES) {
            readable(percentDecoded(text)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Runs of hex byte pairs, optionally written {@code 0x...} or {@code \\x..\\x..} or separated by spaces or
     * colons, as their bare digits. Scanned by hand: a regular expression with a repeated group recurses once per
     * pair in Java and overflows the stack on a long run.
     */
    static List<String> hexRuns(String text) {
        List<String> runs = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int j = i;
            if (text.startsWith("0x", j) || text.startsWith("\\x", j)) {
                j += 2;
            }
            StringBuilder digits = new StringBuilder();
            while (j + 1 < text.length() && isHex(text.charAt(j)) && isHex(text.charAt(j + 1))) {
                digits.append(text, j, j + 2);
                j += 2;
                int sep = text.startsWith("\\x", j)
                        ? 2
                        : j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == ':') ? 1 : 0;
                if (sep > 0
                        && j + sep + 1 < text.length()
                        && isHex(text.charAt(j + sep))
                        && isHex(text.charAt(j + sep + 1))) {
                    j += sep;
                }
            }
            if (digits.length() >= 2 * MIN_HEX_BYTES && (j >= text.length() || !isHex(text.charAt(j)))) {
                runs.add(digits.toString());
                i = j;
            } else {
                i = Math.max(i + 1, j);
            }
        }
        return runs;
    }

    private static byte[] base64(String run) {
        String padded = run.replace('-', '+').replace('_', '/').replace("=", "");
        if (padded.length() % 4 == 1) {
            // one character too many for any base64 length: the run began inside a word; drop its last
            padded = padded.substring(0, padded.length() - 1);
        }
        try {
            return Base64.getDecoder().decode(padded + "==".substring(0, (4 - padded.length() % 4) % 4));
        } catch (IllegalArgumentException notBase64) {
            return new byte[0];
        }
    }

    /** %XX escapes decoded as UTF-8 bytes, everything else kept; '+' is left alone (it is often a real plus). */
    private static byte[] percentDecoded(String text) {
        ByteBuffer bytes = ByteBuffer.allocate(text.length() * 4);
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                bytes.put((byte) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int cp = text.codePointAt(i);
                bytes.put(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        byte[] out = new byte[bytes.position()];
        bytes.flip().get(out);
        return out;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static java.util.Optional<String> readable(byte[] bytes) {
        if (bytes.length < 4) {
            return java.util.Optional.empty();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException notText) {
            return java.util.Optional.empty();
        }
        long readable = text.codePoints()
                .filter(cp -> Character.isLetterOrDigit(cp)
                        || Character.isWhitespace(cp)
                        || Character.isSpaceChar(cp)
                        || isPunctuation(cp))
                .count();
        long letters = text.codePoints().filter(Character::isLetter).count();
        long all = text.codePointCount(0, text.length());
        return readable >= READABLE * all && letters * 2 >= all
                ? java.util.Optional.of(text)
                : java.util.Optional.empty();
    }

    private static boolean isPunctuation(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONNECTOR_PUNCTUATION
                || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION
                || type == Character.MATH_SYMBOL
                || type == Character.CURRENCY_SYMBOL;
    }
}
