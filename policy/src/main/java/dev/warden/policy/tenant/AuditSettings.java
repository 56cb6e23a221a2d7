package dev.warden.policy.tenant;

/** Whether the audit record keeps prompt and response text (or only hashes), and for how long records are kept. */
public record AuditSettings(boolean storeContent, int retentionDays) {

    public static final AuditSettings DEFAULT = new AuditSettings(false, 90);
}
