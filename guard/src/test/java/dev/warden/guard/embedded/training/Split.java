package dev.warden.guard.embedded.training;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Train / validation / test assignment by a stable hash (70 / 15 / 15). The hash does not look at the label,
 * so every (source, label) stratum is split in the same proportions in expectation; the per-stratum sizes are
 * logged in the split manifest. Identical texts (after {@link #normalise}) are deduplicated before assignment,
 * so one text can never sit in two splits.
 */
public enum Split {
    TRAIN,
    VALIDATION,
    TEST;

    static final String SALT = "warden-embedded-split-v1:";

    public static Split of(String key) {
        byte[] h = sha256(SALT + key);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        long bucket = Long.remainderUnsigned(v, 100);
        return bucket < 70 ? TRAIN : bucket < 85 ? VALIDATION : TEST;
    }

    /** Case and whitespace do not make a different text. */
    public static String normalise(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
    }

    /** Short id of a normalised text for the committed manifest (first 16 hex digits of SHA-256). */
    public static String textHash(String text) {
        return HexFormat.of().formatHex(sha256(normalise(text))).substring(0, 16);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
