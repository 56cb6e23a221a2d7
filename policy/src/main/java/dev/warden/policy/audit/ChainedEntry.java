package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;

/**
 * An entry at its place in its chain (tenant and writer instance, {@link ChainId}): {@code hash = SHA-256(prevHash + body)}, where {@code prevHash} is
 * the predecessor's hash as 64 lower-case hex characters (or {@link HashChain#GENESIS} for the first entry) and
 * {@code body} is the entry's canonical JSON ({@link CanonicalJson}), both as UTF-8 bytes.
 */
public record ChainedEntry(
        String tenant, String instance, long seq, String prevHash, String hash, String body, AuditEntry entry) {

    public static ChainedEntry seal(ChainHead head, AuditEntry entry) {
        if (!head.tenant().equals(entry.tenant())) {
            throw new IllegalArgumentException("entry of " + entry.tenant() + " on the chain of " + head.tenant());
        }
        String body = CanonicalJson.text(entry);
        return new ChainedEntry(
                entry.tenant(),
                head.instance(),
                head.seq() + 1,
                head.hash(),
                HashChain.link(head.hash(), body),
                body,
                entry);
    }

    /** Rebuilds a stored entry; the body is parsed, not trusted to match the hash (that is the verifier's job). */
    public static ChainedEntry stored(
            String tenant, String instance, long seq, String prevHash, String hash, String body) {
        return new ChainedEntry(tenant, instance, seq, prevHash, hash, body, CanonicalJson.parse(body));
    }

    /**
     * A stored entry with its detached content (canonical JSON, or null when none is kept beside it): attached to
     * the record when it matches the body's digest; content that does not match is left off (the verifier reports
     * it).
     */
    public static ChainedEntry stored(
            String tenant, String instance, long seq, String prevHash, String hash, String body, String content) {
        ChainedEntry e = stored(tenant, instance, seq, prevHash, hash, body);
        if (content != null
                && e.entry() instanceof AuditRecord r
                && r.contentDigest() != null
                && r.contentDigest().equals(AuditRecord.Content.digestOf(content))) {
            return new ChainedEntry(
                    tenant, instance, seq, prevHash, hash, body, r.withContent(AuditRecord.Content.parse(content)));
        }
        return e;
    }

    /** The canonical JSON of this entry's detached content, or null when it has none (or none is attached). */
    public String detachedContent() {
        return entry instanceof AuditRecord r && r.contentDigest() != null && r.content() != null
                ? r.content().canonical()
                : null;
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
