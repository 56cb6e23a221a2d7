package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex: the one digest used for content fingerprints and chain links. */
public final class Sha256 {

    /**
     * One digest per thread, reused: {@link MessageDigest#getInstance} looks the algorithm up among the security
     * providers and instantiates it reflectively each time, which cost more than hashing a prompt. A digest is
     * left reset by {@link MessageDigest#digest()}, ready for the next text.
     */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {}

    public static String ofText(String text) {
        return text == null ? null : hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String hex(byte[]... parts) {
        return HexFormat.of().formatHex(digest(parts));
    }

    /** The raw 32 bytes of the SHA-256 of the parts, in order. */
    public static byte[] digest(byte[]... parts) {
        MessageDigest digest = DIGESTS.get();
        try {
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } finally {
            // digest() resets it already; this covers an update that threw half-way
            digest.reset();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE ships SHA-256", e);
        }
    }
}
