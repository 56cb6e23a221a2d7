package dev.warden.policy.decision;

/** What a classifier that failed or timed out means: CLOSED blocks the content, OPEN lets it through and records the bypass. */
public enum FailMode {
    CLOSED,
    OPEN
}
