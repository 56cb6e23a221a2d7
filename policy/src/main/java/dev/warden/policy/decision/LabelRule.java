package dev.warden.policy.decision;

/**
 * One rule: when a verdict scores {@code label} at or above {@code threshold}, apply {@code action}.
 * {@code source} says where the rule came from ("tenant", "llama-3.1 AUP default", "built-in default") so a
 * decision can explain itself.
 */
public record LabelRule(String label, Action action, double threshold, String source) {

    public static final String FROM_TENANT = "tenant";

    public boolean fromTenant() {
        return FROM_TENANT.equals(source);
    }
}
