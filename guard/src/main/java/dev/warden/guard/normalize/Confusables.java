package dev.warden.guard.normalize;

import java.util.HashMap;
import java.util.Map;

/**
 * Folds Cyrillic and Greek letters that look like Latin ones onto those Latin letters ("Рiре bоmb" with Cyrillic
 * Р, е, о -> "Pipe bomb"), so a classifier trained on Latin text reads the words the reader sees. A small table of
 * the look-alikes that Unicode's confusables data (UTS #39) lists for these two scripts, rather than the full
 * skeleton algorithm: a skeleton also rewrites Latin text ("m" -> "rn"), which would change what the model reads.
 */
final class Confusables {

    private static final Map<Integer, Character> LATIN = new HashMap<>();

    static {
        // Cyrillic capitals and small letters
        map("АВЕЅІЈКМНОРСТХУ", "ABESIJKMHOPCTXY");
        map("аеѕіјорсхуԁһԛԝ", "aesijopcxydhqw");
        map("ӏԌԍ", "lGg");
        map("ѵѴ", "vV");
        // Greek capitals and small letters
        map("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX");
        map("αοιρνκτυχγ", "aoipvktuxy");
        // Latin-looking symbols outside the Latin block that NFKC keeps
        map("ı", "i");
    }

    private Confusables() {}

    private static void map(String from, String to) {
        if (from.codePointCount(0, from.length()) != to.length()) {
            throw new IllegalStateException("confusable table rows must be of equal length: " + from);
        }
        int[] cps = from.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            LATIN.put(cps[i], to.charAt(i));
        }
    }

    /** The text with every listed look-alike replaced by its Latin letter; other characters unchanged. */
    static String fold(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Character latin = LATIN.get(cp);
            if (latin != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (latin != null) {
                    out.append(latin.charValue());
                } else {
                    out.appendCodePoint(cp);
                }
            }
            i += Character.charCount(cp);
        }
        return out == null ? text : out.toString();
    }
}
