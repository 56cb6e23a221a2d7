package dev.warden.policy.audit;

/**
 * An entry exactly as a store holds it, unparsed, for the verifier: chain fields, body and index columns.
 * {@code categoryIndex} is the entry's rows in the category table, joined like {@link IndexColumns#categories()}.
 */
public record StoredRow(String tenant, String instance, long seq, String prevHash, String hash, String body,
                        IndexColumns columns, String categoryIndex) {

    StoredRow withCategoryIndex(String index) {
        return new StoredRow(tenant, instance, seq, prevHash, hash, body, columns, index);
    }
}
