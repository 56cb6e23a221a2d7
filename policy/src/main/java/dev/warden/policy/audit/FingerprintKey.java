package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret behind the prompt and response fingerprints of audit records: HMAC-SHA256 instead of plain SHA-256,
 * so that whoever reads the log (or a copy of the database) cannot confirm a guessed prompt by hashing it; the
 * secret is kept outside the database (a key file created at first start with 0600, or an environment setting).
 * Two records of the same text still carry the same fingerprint, which is what investigations need.
 * <p>
 * Records say which function made their fingerprints ({@link AuditRecord#fingerprint()}): {@link #ALGORITHM}, or
 * absent for records written before this key existed, whose fingerprints are plain SHA-256 of the UTF-8 text.
 */
public final class FingerprintKey {

    /** The value of {@link AuditRecord#fingerprint()} for fingerprints made with a key. */
    public static final String ALGORITHM = "hmac-sha256";

    private static final String MAC = "HmacSHA256";
    private static final int SECRET_BYTES = 32;

    private final SecretKeySpec secret;
    /**
     * One keyed MAC per thread, reused: every audit record takes two fingerprints on a request thread, and looking
     * up the provider and deriving the key's pads anew each time cost more than hashing the text.
     * {@link Mac#doFinal} leaves a MAC ready for the next text with the same key.
     */
    private final ThreadLocal<Mac> macs;

    private FingerprintKey(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the audit fingerprint secret must have at least 16 bytes");
        }
        this.secret = new SecretKeySpec(secret, MAC);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(secret);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JRE ships HmacSHA256", e);
        }
    }

    /** A secret given as base64 (an environment setting). */
    public static FingerprintKey ofBase64(String base64) {
        try {
            return new FingerprintKey(Base64.getDecoder().decode(base64.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the audit fingerprint secret is not base64 of at least 16 bytes", e);
        }
    }

    /** The secret in {@code file} (base64), generated there first if there is none. */
    public static FingerprintKey loadOrCreate(Path file) {
        if (SecretFiles.read(file).isEmpty()) {
            byte[] fresh = new byte[SECRET_BYTES];
            new SecureRandom().nextBytes(fresh);
            SecretFiles.create(file, Base64.getEncoder().encodeToString(fresh) + "\n");
        }
        try {
            return ofBase64(SecretFiles.read(file).orElseThrow());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the audit fingerprint key file " + file.getFileName()
                            + " does not hold base64 of at least 16 bytes",
                    e);
        }
    }

    /** HMAC-SHA256 of the UTF-8 text as lower-case hex; null for null. */
    public String of(String text) {
        if (text == null) {
            return null;
        }
        return HexFormat.of().formatHex(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}
