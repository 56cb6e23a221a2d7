package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The operator's Ed25519 key, which signs the audit log's chain-head checkpoints ({@link HeadCheckpoint}). The
 * private half lives in a key file outside the database (created at first start, 0600), so whoever can write the
 * database but not read that file cannot forge a checkpoint; the public half is what auditors verify with
 * ({@link #publicKeyText()}, also written beside the key file as {@code <file>.pub}).
 * <p>
 * Key file format, one {@code name=value} per line: {@code private} (PKCS#8, base64) and {@code public} (X.509
 * SubjectPublicKeyInfo, base64); the JDK cannot derive an Ed25519 public key from the private one.
 */
public final class OperatorKey {

    static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private OperatorKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Loads the key from {@code file}, generating it there first if there is none. */
    public static OperatorKey loadOrCreate(Path file) {
        if (SecretFiles.read(file).isEmpty()) {
            OperatorKey fresh = generate();
            if (SecretFiles.create(file, fresh.fileText())) {
                SecretFiles.create(publicFile(file), fresh.publicKeyText() + "\n");
                return fresh;
            }
        }
        return parse(SecretFiles.read(file).orElseThrow(), file);
    }

    /** Where the public key is written for auditors. */
    public static Path publicFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    public static OperatorKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new OperatorKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JRE has no Ed25519 (Java 15+ ships it)", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key as base64 X.509 SubjectPublicKeyInfo: what an auditor passes to the verifier. */
    public String publicKeyText() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** A short name of the public key (first 16 hex digits of its SHA-256), stored with each checkpoint. */
    public String keyId() {
        return keyId(publicKey);
    }

    static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    /** The Ed25519 signature of {@code message}, base64: how evidence bundles carry their signature. */
    public String signBase64(byte[] message) {
        return Base64.getEncoder().encodeToString(sign(message));
    }

    /** True when {@code signatureBase64} is {@code key}'s Ed25519 signature of exactly {@code message}. */
    public static boolean verifyBase64(PublicKey key, byte[] message, String signatureBase64) {
        try {
            return verify(key, message, Base64.getDecoder().decode(signatureBase64));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@link #keyId()} of any public key. */
    public static String idOf(PublicKey key) {
        return keyId(key);
    }

    byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the operator key", e);
        }
    }

    static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key from {@link #publicKeyText()}'s form (surrounding whitespace ignored). */
    public static PublicKey parsePublicKey(String text) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key in base64 X.509 form", e);
        }
    }

    private String fileText() {
        return "# Warden audit operator key (Ed25519): signs the audit chain-head checkpoints. Keep it secret and\n"
                + "# out of the database; auditors verify with the public line (also in the .pub file).\n"
                + "private=" + Base64.getEncoder().encodeToString(privateKey.getEncoded()) + "\n"
                + "public=" + publicKeyText() + "\n";
    }

    private static OperatorKey parse(String text, Path file) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        try {
            PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(
                            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(fields.getOrDefault("private", ""))));
            PublicKey publicKey = parsePublicKey(fields.getOrDefault("public", ""));
            OperatorKey key = new OperatorKey(privateKey, publicKey);
            byte[] probe = "warden operator key check".getBytes(StandardCharsets.US_ASCII);
            if (!verify(publicKey, probe, key.sign(probe))) {
                throw new IllegalArgumentException("its public line does not belong to its private key");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // The file name only: the message may reach a log, the key material never does.
            throw new IllegalArgumentException(
                    "the audit operator key file " + file.getFileName() + " is not a valid Ed25519 key file: "
                            + e.getMessage(),
                    e);
        }
    }
}
