package dev.warden.policy.audit;

/**
 * How a request ended, from the client's point of view. Every request gets exactly one ending; a stream also has
 * an opening record, {@link #STREAM_STARTED}.
 */
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
    UNAUTHENTICATED,
    /**
     * Not an ending: a stream's opening record, durable before its first byte leaves, so that a process killed
     * mid-stream still leaves a trace of the tokens it delivered. The stream's ending follows as a record of its
     * own with the same request id. Queries and counts leave these out unless asked for by outcome.
     */
    STREAM_STARTED,
    /** A stream whose gateway stopped before it ended (a kill, a crash): recorded at the next start. */
    INTERRUPTED
}
