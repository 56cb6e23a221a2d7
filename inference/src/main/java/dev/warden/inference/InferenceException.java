package dev.warden.inference;

import java.time.Duration;

/**
 * A failure an engine understood, with the HTTP status a gateway should answer with.
 * {@code retryAfter} is set when the engine is full ({@link Kind#OVERLOADED}).
 */
public class InferenceException extends RuntimeException {

    public enum Kind {
        /** Slots and queue are full: 429 with Retry-After, at once. */
        OVERLOADED(429),
        /** Bad parameters for this engine, e.g. a prompt longer than the context: 400. */
        INVALID_REQUEST(400),
        /** No engine can serve this model now (none configured, circuit open, all replicas down): 503. */
        UNAVAILABLE(503),
        /** The upstream answered with an error or broke the protocol: 502. */
        UPSTREAM_ERROR(502),
        /** Connect, first-token or idle-gap time limit passed: 504. */
        TIMEOUT(504);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final Upstream upstream;

    /**
     * What a remote engine said when it refused the request itself (a 4xx other than 401/403/429): its status, and
     * its OpenAI error {@code type}, {@code code} and {@code param} when its body had them (each may be null).
     */
    public record Upstream(int status, String type, String code, String param) {}

    public InferenceException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public InferenceException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        this(kind, message, retryAfter, cause, null);
    }

    public InferenceException(Kind kind, String message, Duration retryAfter, Throwable cause, Upstream upstream) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.upstream = upstream;
    }

    /** The upstream's own refusal, or null when the failure is not one. */
    public Upstream upstream() {
        return upstream;
    }

    public Kind kind() {
        return kind;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
