package dev.warden.policy.audit;

/** How a request ended, from the client's point of view. Every request gets exactly one. */
public enum Outcome {
    ALLOWED,
    BLOCKED_INPUT,
    CUT_OUTPUT,
    RATE_LIMITED,
    LICENCE_DENIED,
    UPSTREAM_ERROR,
    CLIENT_ABORT,
    PARTIAL_STREAM,
    BAD_REQUEST,
    UNAUTHENTICATED
}
