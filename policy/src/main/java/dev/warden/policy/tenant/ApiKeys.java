package dev.warden.policy.tenant;

import dev.warden.policy.audit.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API keys: {@code wdn-} followed by 40 base62 characters from {@link SecureRandom} (about 238 bits).
 * <p>
 * Only the SHA-256 of a key is stored. A fast, unsalted hash is the standard choice for machine-generated keys
 * (GitHub, Stripe and AWS do the same): salts and slow hashes (bcrypt, Argon2) exist to stop dictionary and
 * brute-force attacks on low-entropy human passwords, and 238 random bits cannot be brute-forced however fast the
 * hash is. An unsalted hash is also what makes authentication one hash-map lookup instead of a scan over every
 * stored key with a deliberately slow function on each request.
 */
public final class ApiKeys {

    public static final String PREFIX = "wdn-";
    static final int RANDOM_CHARS = 40;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_ID_LENGTH = 8;

    private ApiKeys() {}

    /** A new clear key. Show it once and store only {@link #hash(String)}. */
    public static String generate() {
        StringBuilder key = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            // nextInt(bound) rejects out-of-range draws, so every character is uniformly likely
            key.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return key.toString();
    }

    /** Lower-case hex SHA-256 of the key's UTF-8 bytes. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Short, non-secret identifier for logs and the audit record: the first 8 hex digits of the hash. */
    public static String keyId(String sha256Hex) {
        return sha256Hex.substring(0, KEY_ID_LENGTH);
    }

    /** Whether {@code presented} hashes to {@code storedSha256Hex}, compared in constant time. */
    public static boolean matches(String presented, String storedSha256Hex) {
        if (presented == null || storedSha256Hex == null || !isHash(storedSha256Hex)) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented), HexFormat.of().parseHex(storedSha256Hex));
    }

    /** Whether two hex hashes are equal, compared in constant time (the presented key already hashed once). */
    public static boolean sameHash(String presentedSha256Hex, String storedSha256Hex) {
        return presentedSha256Hex != null
                && storedSha256Hex != null
                && isHash(storedSha256Hex)
                && MessageDigest.isEqual(
                        presentedSha256Hex.getBytes(StandardCharsets.US_ASCII),
                        storedSha256Hex.getBytes(StandardCharsets.US_ASCII));
    }

    /** Cheap shape check so that obvious garbage never reaches the hash. */
    public static boolean looksLikeKey(String presented) {
        return presented != null
                && presented.startsWith(PREFIX)
                && presented.length() >= PREFIX.length() + 32
                && presented.length() <= 256;
    }

    static boolean isHash(String value) {
        if (value.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(String key) {
        return Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }
}
