package dev.warden.policy.tenant;

import java.util.OptionalInt;

/**
 * What a tenant's audit records keep and for how long.
 *
 * @param storeContent          whether records keep the (redacted) prompt and response text, or only fingerprints
 * @param metadataRetentionDays how long records are kept (decisions, scores, hashes); at least
 *                              {@value #MINIMUM_METADATA_RETENTION_DAYS} days, the six months deployers must keep
 *                              logs (EU AI Act Art. 19 and 26(6))
 * @param contentRetentionDays  how long stored content is kept, at most the metadata period
 * @param legalHold             while true, retention deletes nothing of this tenant (litigation, an investigation)
 * @param contentRetentionSet   whether the tenants file sets {@code content-retention-days}; without it content
 *                              follows the metadata period, and other content kept for the tenant (batch files) is
 *                              not limited by the tenant
 */
public record AuditSettings(
        boolean storeContent,
        int metadataRetentionDays,
        int contentRetentionDays,
        boolean legalHold,
        boolean contentRetentionSet) {

    public static final int MINIMUM_METADATA_RETENTION_DAYS = 180;
    public static final AuditSettings DEFAULT =
            new AuditSettings(false, MINIMUM_METADATA_RETENTION_DAYS, MINIMUM_METADATA_RETENTION_DAYS, false, false);

    public AuditSettings {
        if (metadataRetentionDays < MINIMUM_METADATA_RETENTION_DAYS) {
            throw new IllegalArgumentException("metadata retention must be at least " + MINIMUM_METADATA_RETENTION_DAYS
                    + " days, got " + metadataRetentionDays);
        }
        if (contentRetentionDays < 1 || contentRetentionDays > metadataRetentionDays) {
            throw new IllegalArgumentException(
                    "content retention must be 1.." + metadataRetentionDays + " days, got " + contentRetentionDays);
        }
    }

    /** The content period the tenant chose, if it chose one: the longest other content of the tenant is kept. */
    public OptionalInt chosenContentRetentionDays() {
        return contentRetentionSet ? OptionalInt.of(contentRetentionDays) : OptionalInt.empty();
    }

    /** How long records are kept: the metadata period. */
    public int retentionDays() {
        return metadataRetentionDays;
    }
}
