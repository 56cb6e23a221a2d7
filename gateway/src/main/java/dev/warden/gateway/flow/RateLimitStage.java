package dev.warden.gateway.flow;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.ratelimit.RateLimiter;
import dev.warden.policy.ratelimit.Rejection;
import dev.warden.policy.ratelimit.Reservation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * The rate-limit stage every metered endpoint passes (generation and moderation alike): reserves one request and
 * the estimated tokens from the caller's key, tenant and tenant-model limits, puts the {@code x-ratelimit-*}
 * headers on the response, and turns a refusal into an audited 429 (or 503 while a fail-closed limiter's store
 * is unreachable) with {@code Retry-After}. One class, so that an endpoint cannot be limited differently by
 * accident.
 */
public final class RateLimitStage {

    private final RateLimiter limiter;
    private final Executor reservationHandOff;
    private final AuditTrail audit;

    public RateLimitStage(RateLimiter limiter, Executor reservationHandOff, AuditTrail audit) {
        this.limiter = limiter;
        this.reservationHandOff = reservationHandOff;
        this.audit = audit;
    }

    /**
     * An admitted reservation, which the caller settles and releases; or, when refused, the call recorded as
     * {@link Outcome#RATE_LIMITED} and an error carrying the status and {@code Retry-After}.
     */
    public Mono<Reservation> reserve(CallRecord record, String model, long estimatedTokens, HttpHeaders out) {
        return admit(
                record,
                () -> limiter.reserveAsync(record.principal(), model, estimatedTokens, reservationHandOff),
                out);
    }

    /**
     * As {@link #reserve}, for a call of the Files and Batch API: one request from the key's files-and-batches
     * limits only ({@link RateLimiter#reserveFilesAndBatchesAsync}).
     */
    public Mono<Reservation> reserveFilesAndBatches(CallRecord record, HttpHeaders out) {
        return admit(record, () -> limiter.reserveFilesAndBatchesAsync(record.principal(), reservationHandOff), out);
    }

    private Mono<Reservation> admit(
            CallRecord record, Supplier<CompletableFuture<Reservation>> decision, HttpHeaders out) {
        long start = System.nanoTime();
        return Mono.fromFuture(decision).flatMap(reservation -> {
            record.limited(start, System.nanoTime());
            reservation.headers().forEach(out::set);
            if (reservation.admitted()) {
                return Mono.just(reservation);
            }
            Rejection rejection = reservation.rejection().orElseThrow();
            record.ruleOnly("rate limit " + rejection.scope() + " " + rejection.limit());
            return audit.record(record, Outcome.RATE_LIMITED, rejection.httpStatus())
                    .then(Mono.error(refusal(rejection)));
        });
    }

    static ApiException refusal(Rejection rejection) {
        long seconds = rejection.retryAfterSeconds();
        HttpStatus status = HttpStatus.valueOf(rejection.httpStatus());
        String message =
                switch (rejection.reason()) {
                    case UNAVAILABLE ->
                        "the rate-limit store is unreachable and this gateway fails closed; try again soon";
                    case TOO_LARGE ->
                        "this request alone needs more tokens than the " + rejection.scope() + " limit "
                                + rejection.limit() + " allows; lower max_tokens or shorten the prompt";
                    default ->
                        "Rate limit reached for " + rejection.scope() + " (" + rejection.limit() + "); try again in "
                                + seconds + " s";
                };
        return ApiErrors.rateLimitRefused(
                rejection.httpStatus(),
                rejection.reason() == Rejection.Reason.UNAVAILABLE ? "rate_limiter_unavailable" : "rate_limit_exceeded",
                message,
                seconds > 0 ? Duration.ofSeconds(seconds) : null);
    }
}
