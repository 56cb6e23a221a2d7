package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;

/**
 * An entry at its place in its chain (tenant and writer instance, {@link ChainId}): {@code hash = SHA-256(prevHash + body)}, where {@code prevHash} is
 * the predecessor's hash as 64 lower-case hex characters (or {@link HashChain#GENESIS} for the first entry) and
 * {@code body} is the entry's canonical JSON ({@link CanonicalJson}), both as UTF-8 bytes.
 */
public record ChainedEntry(String tenant, String instance, long seq, String prevHash, String hash, String body,
                           AuditEntry entry) {

    public static ChainedEntry seal(ChainHead head, AuditEntry entry) {
        if (!head.tenant().equals(entry.tenant())) {
            throw new IllegalArgumentException("entry of " + entry.tenant() + " on the chain of " + head.tenant());
        }
        String body = CanonicalJson.text(entry);
        return new ChainedEntry(entry.tenant(), head.instance(), head.seq() + 1, head.hash(),
                HashChain.link(head.hash(), body), body, entry);
    }

    /** Rebuilds a stored entry; the body is parsed, not trusted to match the hash (that is the verifier's job). */
    public static ChainedEntry stored(String tenant, String instance, long seq, String prevHash, String hash,
                                      String body) {
        return new ChainedEntry(tenant, instance, seq, prevHash, hash, body, CanonicalJson.parse(body));
    }

    public ChainHead head() {
        return new ChainHead(tenant, instance, seq, hash);
    }

    public ChainId chain() {
        return new ChainId(tenant, instance);
    }

    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
