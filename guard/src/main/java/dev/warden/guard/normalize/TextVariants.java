package dev.warden.guard.normalize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a text says once its disguises are taken off, for classifiers to judge <em>besides</em> the text as sent
 * (never instead of it: a rewrite can also lose meaning). Two kinds of variant:
 * <ul>
 *   <li>the folded text: Unicode NFKC (full-width and styled letters, ligatures), Cyrillic and Greek look-alikes
 *       read as Latin ({@link Confusables}), letters spread out by spaces or dots joined ({@link SpacedOut}), and
 *       leetspeak read as letters ({@link Leetspeak});</li>
 *   <li>decoded runs: base64, hex and URL-encoded passages that decode to readable text ({@link EncodedRuns}),
 *       themselves folded, and decoded once more when they hold a second layer.</li>
 * </ul>
 * Plain Java, no model: a few linear passes over the text.
 */
public final class TextVariants {

    /** Encodings inside encodings are unwrapped this many layers deep. */
    private static final int DECODE_DEPTH = 2;
    /** A bound on the variants of one text, so a text made of many small encoded runs cannot multiply the work. */
    private static final int MAX_VARIANTS = 16;

    private TextVariants() {}

    /** The text with its disguises taken off; the text itself when it had none. */
    public static String fold(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC);
        folded = Confusables.fold(folded);
        folded = SpacedOut.join(folded);
        return Leetspeak.read(folded);
    }

    /** Texts to judge besides {@code text}: distinct, each different from {@code text}; empty for plain text. */
    public static List<String> of(String text) {
        Set<String> variants = new LinkedHashSet<>();
        String folded = fold(text);
        variants.add(folded);
        List<String> layer = List.of(text);
        for (int depth = 0; depth < DECODE_DEPTH && !layer.isEmpty(); depth++) {
            List<String> next = new ArrayList<>();
            for (String t : layer) {
                for (String decoded : EncodedRuns.decode(t)) {
                    if (variants.size() >= MAX_VARIANTS) {
                        break;
                    }
                    if (variants.add(decoded)) {
                        variants.add(fold(decoded));
                        next.add(decoded);
                    }
                }
            }
            layer = next;
        }
        variants.remove(text);
        variants.removeIf(String::isBlank);
        return List.copyOf(variants);
    }
}
