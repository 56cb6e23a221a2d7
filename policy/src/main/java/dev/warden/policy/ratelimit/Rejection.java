package dev.warden.policy.ratelimit;

import java.time.Duration;

/**
 * Why a reservation was refused.
 *
 * @param reason     which kind of limit
 * @param scope      {@code key}, {@code tenant} or {@code model} (empty for {@link Reason#UNAVAILABLE})
 * @param limit      the limit that refused, e.g. {@code 60/1m}, {@code 4 concurrent}
 * @param retryAfter when trying again can succeed; null when it never can ({@link Reason#TOO_LARGE})
 */
public record Rejection(Reason reason, String scope, String limit, Duration retryAfter) {

    public enum Reason {
        REQUESTS(429),
        TOKENS(429),
        CONCURRENT(429),
        /** The request alone needs more tokens than a window holds: waiting will not help. */
        TOO_LARGE(429),
        /** The shared limit store is unreachable and the limiter fails closed. */
        UNAVAILABLE(503);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    public int httpStatus() {
        return reason.httpStatus();
    }

    /** Whole seconds for {@code Retry-After}, rounded up and at least 1; -1 when retrying cannot help. */
    public long retryAfterSeconds() {
        if (retryAfter == null) {
            return -1;
        }
        long nanos = retryAfter.toNanos();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    public String message() {
        return switch (reason) {
            case UNAVAILABLE -> "rate limits cannot be checked right now; try again shortly";
            case TOO_LARGE ->
                "request too large: it needs more tokens than the " + scope + " limit of " + limit + " allows";
            default -> "rate limit reached for " + scope + ": " + limit + "; retry after " + retryAfterSeconds() + " s";
        };
    }
}
