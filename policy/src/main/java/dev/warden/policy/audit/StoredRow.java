package dev.warden.policy.audit;

/**
 * An entry exactly as a store holds it, unparsed, for the verifier: chain fields, body and index columns.
 * {@code content} is the record's detached content (canonical JSON) kept beside it, null when none is (or it was
 * erased). {@code categoryIndex} is the entry's rows in the category table, joined like {@link IndexColumns#categories()}.
 */
public record StoredRow(
        String tenant,
        String instance,
        long seq,
        String prevHash,
        String hash,
        String body,
        IndexColumns columns,
        String categoryIndex,
        String content) {

    StoredRow withCategoryIndex(String index) {
        return new StoredRow(tenant, instance, seq, prevHash, hash, body, columns, index, content);
    }

    /** The entry with its detached content attached. */
    public ChainedEntry entry() {
        return ChainedEntry.stored(tenant, instance, seq, prevHash, hash, body, content);
    }
}
