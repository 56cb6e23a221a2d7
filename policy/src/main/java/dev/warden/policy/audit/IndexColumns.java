package dev.warden.policy.audit;

import java.util.List;

/**
 * The queryable columns a store keeps next to an entry's canonical body. They are derived from the entry in this
 * one place, at write time and again at verification time: a column edited in SQL no longer matches what the
 * hashed body says, and the verifier reports it.
 * <p>
 * For an {@link AdminAction} the decision column holds its action and the rule column its subject.
 */
public record IndexColumns(
        String kind,
        String requestId,
        long timeMs,
        String model,
        String purpose,
        String outcome,
        String decision,
        String rule,
        Integer httpStatus,
        String classifiers,
        String categories,
        String policyVersion) {

    public static IndexColumns of(AuditEntry entry) {
        if (entry instanceof AuditRecord r) {
            return new IndexColumns(
                    r.kind().name(),
                    r.requestId(),
                    r.time().toEpochMilli(),
                    r.model(),
                    r.purpose(),
                    r.outcome().name(),
                    r.decision(),
                    r.rule(),
                    r.httpStatus(),
                    joined(r.classifiers()),
                    joined(r.categories()),
                    r.policyVersion());
        }
        if (entry instanceof AdminAction a) {
            // The action in the decision column and its subject in the rule column, so admin actions can be
            // filtered like decisions.
            return new IndexColumns(
                    entry.kind().name(),
                    entry.requestId(),
                    entry.time().toEpochMilli(),
                    null,
                    null,
                    null,
                    a.action(),
                    a.subject(),
                    null,
                    "",
                    "",
                    null);
        }
        return new IndexColumns(
                entry.kind().name(),
                entry.requestId(),
                entry.time().toEpochMilli(),
                null,
                null,
                null,
                null,
                null,
                null,
                "",
                "",
                null);
    }

    /** {@code |a|b|}, so that one value can be matched with LIKE '%|a|%' in every SQL dialect. */
    static String joined(List<String> values) {
        return values.isEmpty() ? "" : "|" + String.join("|", values) + "|";
    }
}
