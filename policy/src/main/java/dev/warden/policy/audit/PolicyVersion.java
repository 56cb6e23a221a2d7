package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One version of the policy in force: the tenants file and the licence descriptor files, as text, by name
 * ({@code tenants.yaml}, {@code licences/llama-3.1.yaml}). Every audit record names the version its decision was
 * made under ({@link AuditRecord#policyVersion()}); the store keeps each version's documents once, so an auditor can
 * read the rules a record was decided by, and an evidence bundle carries the versions its records reference.
 * <p>
 * The digest is derived from the documents alone ({@link #digestOf}), so every gateway reading the same files
 * reports the same version, and anyone holding the documents can recompute it: a stored or exported version whose
 * documents were altered no longer matches its digest.
 */
public record PolicyVersion(String digest, Instant firstSeen, Map<String, String> documents) {

    public static final String PREFIX = "sha256:";

    public PolicyVersion {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(firstSeen, "firstSeen");
        documents = java.util.Collections.unmodifiableMap(new TreeMap<>(documents));
    }

    public static PolicyVersion of(Map<String, String> documents, Instant firstSeen) {
        return new PolicyVersion(digestOf(documents), firstSeen, documents);
    }

    /**
     * {@code sha256:} and the SHA-256 of, for each document in name order, its name, a NUL, the hex SHA-256 of its
     * UTF-8 text and a line feed. Hashing each document first keeps the framing unambiguous whatever the texts hold.
     */
    public static String digestOf(Map<String, String> documents) {
        StringBuilder index = new StringBuilder();
        new TreeMap<>(documents).forEach((name, text) -> index.append(name)
                .append('\0')
                .append(Sha256.ofText(text))
                .append('\n'));
        return PREFIX + Sha256.hex(index.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** True when the documents still hash to the digest. */
    public boolean intact() {
        return digest.equals(digestOf(documents));
    }

    /** A short form for logs and screens: the first 12 hex digits. */
    public static String shortForm(String digest) {
        return digest == null ? "-" : digest.substring(0, Math.min(digest.length(), PREFIX.length() + 12));
    }

    /** The canonical JSON of the documents, as the store keeps them. */
    public String documentsJson() {
        return CanonicalJson.write(documents);
    }

    @SuppressWarnings("unchecked")
    public static PolicyVersion stored(String digest, Instant firstSeen, String documentsJson) {
        Map<String, String> docs = new TreeMap<>();
        ((Map<String, Object>) (Map<?, ?>) CanonicalJson.read(documentsJson))
                .forEach((k, v) -> docs.put(k, String.valueOf(v)));
        return new PolicyVersion(digest, firstSeen, docs);
    }
}
