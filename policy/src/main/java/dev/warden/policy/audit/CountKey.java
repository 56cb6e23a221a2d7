package dev.warden.policy.audit;

/** What a bucketed count is broken down by. */
public enum CountKey {
    DECISION,
    OUTCOME,
    CATEGORY,
    MODEL,
    TENANT,
    RULE
}
