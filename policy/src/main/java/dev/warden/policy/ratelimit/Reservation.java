package dev.warden.policy.ratelimit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outcome of {@link RateLimiter#reserve}: admitted, holding tokens and a concurrency slot, or rejected.
 * <p>
 * After the call, {@link #settle(long)} with the real token usage (refunds or charges the difference), and
 * {@link #release()} the concurrency slot, also when the call failed. Both are idempotent and do nothing on a
 * rejected reservation; neither blocks on Redis. {@link #close()} releases, so try-with-resources works.
 */
public final class Reservation implements AutoCloseable {

    private final RateLimiter limiter;
    private final BucketStore store;
    private final List<RateLimiter.Draw> taken;
    private final long reservedTokens;
    private final Rejection rejection;
    private final RateLimitInfo requests;
    private final RateLimitInfo tokens;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    private Reservation(
            RateLimiter limiter,
            BucketStore store,
            List<RateLimiter.Draw> taken,
            long reservedTokens,
            Rejection rejection,
            RateLimitInfo requests,
            RateLimitInfo tokens) {
        this.limiter = limiter;
        this.store = store;
        this.taken = List.copyOf(taken);
        this.reservedTokens = reservedTokens;
        this.rejection = rejection;
        this.requests = requests;
        this.tokens = tokens;
    }

    static Reservation admitted(
            RateLimiter limiter,
            BucketStore store,
            List<RateLimiter.Draw> taken,
            long reservedTokens,
            RateLimitInfo requests,
            RateLimitInfo tokens) {
        return new Reservation(limiter, store, taken, reservedTokens, null, requests, tokens);
    }

    static Reservation rejected(Rejection rejection) {
        return rejected(rejection, null, null);
    }

    static Reservation rejected(Rejection rejection, RateLimitInfo requests, RateLimitInfo tokens) {
        return new Reservation(null, null, List.of(), 0, rejection, requests, tokens);
    }

    public boolean admitted() {
        return rejection == null;
    }

    public Optional<Rejection> rejection() {
        return Optional.ofNullable(rejection);
    }

    /** The most constraining request window after this reservation; empty when the caller has no request limits. */
    public Optional<RateLimitInfo> requests() {
        return Optional.ofNullable(requests);
    }

    /** The most constraining token window after this reservation; empty when the caller has no token limits. */
    public Optional<RateLimitInfo> tokens() {
        return Optional.ofNullable(tokens);
    }

    public long reservedTokens() {
        return reservedTokens;
    }

    /** {@code local} or {@code redis}: where this reservation's buckets are (local while Redis is down). */
    public String store() {
        return store == null ? "" : store.name();
    }

    /**
     * Response headers as OpenAI sends them: {@code x-ratelimit-limit-requests}, {@code -remaining-requests},
     * {@code -reset-requests} and the same three for tokens (each pair only when such a limit exists), plus
     * {@code retry-after} (whole seconds) on a retryable rejection.
     */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        if (requests != null) {
            h.put("x-ratelimit-limit-requests", Long.toString(requests.limit()));
            h.put("x-ratelimit-remaining-requests", Long.toString(requests.remaining()));
            h.put("x-ratelimit-reset-requests", requests.resetHeader());
        }
        if (tokens != null) {
            h.put("x-ratelimit-limit-tokens", Long.toString(tokens.limit()));
            h.put("x-ratelimit-remaining-tokens", Long.toString(tokens.remaining()));
            h.put("x-ratelimit-reset-tokens", tokens.resetHeader());
        }
        if (rejection != null && rejection.retryAfter() != null) {
            h.put("retry-after", Long.toString(rejection.retryAfterSeconds()));
        }
        return h;
    }

    /**
     * Reconciles the reserved estimate with the real usage; only the first call counts. Never blocks: the returned
     * future completes once the store has it (or the call failed, which is counted and logged; it never fails), and
     * a request path need not wait for it.
     */
    public CompletableFuture<Void> settle(long actualTokens) {
        if (rejection != null || !settled.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long delta = reservedTokens - Math.max(0, actualTokens);
        if (delta != 0 && reservedTokens > 0) {
            return limiter.adjustTokens(store, taken, delta);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Gives the concurrency slots back; only the first call counts. Never blocks, like {@link #settle}. */
    public CompletableFuture<Void> release() {
        if (rejection != null || !released.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        return limiter.releaseSlots(store, taken);
    }

    @Override
    public void close() {
        release();
    }
}
