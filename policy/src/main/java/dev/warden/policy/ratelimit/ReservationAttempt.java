package dev.warden.policy.ratelimit;

import dev.warden.policy.ratelimit.RateLimiter.Draw;
import dev.warden.policy.ratelimit.RateLimiter.Kind;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One reservation's draws from one store, bucket after bucket, each atomic. When a bucket refuses or the store
 * fails, what was already taken is given back.
 * <p>
 * The result may be completed from outside before the draws are done: that is how the limiter's time limit
 * abandons an attempt. Every draw that lands after that is given back together with everything taken before it,
 * so an abandoned attempt ends up holding nothing, whenever its replies come.
 */
final class ReservationAttempt {

    private final RateLimiter limiter;
    private final BucketStore store;
    private final List<Draw> draws;
    private final long estimatedTokens;
    private final List<Draw> taken;
    private final long[] remaining;
    private final CompletableFuture<Reservation> result = new CompletableFuture<>();

    private ReservationAttempt(RateLimiter limiter, BucketStore store, List<Draw> draws, long estimatedTokens) {
        this.limiter = limiter;
        this.store = store;
        this.draws = draws;
        this.estimatedTokens = estimatedTokens;
        this.taken = new ArrayList<>(draws.size());
        this.remaining = new long[draws.size()];
    }

    /** Starts drawing; with the local store the result is complete on return. */
    static CompletableFuture<Reservation> start(
            RateLimiter limiter, BucketStore store, List<Draw> draws, long estimatedTokens) {
        ReservationAttempt attempt = new ReservationAttempt(limiter, store, draws, estimatedTokens);
        attempt.draw(0);
        return attempt.result;
    }

    // Each step runs when the previous draw's reply is in; the steps never overlap, so the list needs no lock.
    private void draw(int i) {
        if (result.isDone()) {
            limiter.giveBack(store, taken); // abandoned: stop drawing
            return;
        }
        if (i == draws.size()) {
            Reservation admitted = Reservation.admitted(
                    limiter,
                    store,
                    taken,
                    estimatedTokens,
                    info(Kind.REQUESTS, draws.size()),
                    info(Kind.TOKENS, draws.size()));
            if (!result.complete(admitted)) {
                limiter.giveBack(store, taken); // abandoned while the last reply was on its way
            }
            return;
        }
        Draw d = draws.get(i);
        store.tryConsume(d.key(), d.configuration(), d.cost()).whenComplete((probe, e) -> {
            if (e != null) {
                limiter.giveBack(store, taken);
                result.completeExceptionally(BucketStore.cause(e));
            } else if (probe.isConsumed()) {
                taken.add(d);
                remaining[i] = probe.getRemainingTokens();
                draw(i + 1);
            } else {
                limiter.giveBack(store, taken);
                result.complete(refused(i, probe));
            }
        });
    }

    private Reservation refused(int i, ConsumptionProbe probe) {
        Draw d = draws.get(i);
        // report the state the caller is left with: what was given back is available again
        for (int j = 0; j < i; j++) {
            remaining[j] += draws.get(j).cost();
        }
        remaining[i] = probe.getRemainingTokens();
        Duration wait =
                d.kind() == Kind.CONCURRENT ? Duration.ofSeconds(1) : Duration.ofNanos(probe.getNanosToWaitForRefill());
        Rejection.Reason reason =
                switch (d.kind()) {
                    case REQUESTS -> Rejection.Reason.REQUESTS;
                    case TOKENS -> Rejection.Reason.TOKENS;
                    case CONCURRENT -> Rejection.Reason.CONCURRENT;
                };
        return Reservation.rejected(
                new Rejection(reason, d.scope(), d.limit(), wait),
                info(Kind.REQUESTS, i + 1),
                info(Kind.TOKENS, i + 1));
    }

    /** The window of {@code kind} with the least remaining among the first {@code upTo} draws. */
    private RateLimitInfo info(Kind kind, int upTo) {
        RateLimitInfo best = null;
        for (int i = 0; i < upTo; i++) {
            Draw d = draws.get(i);
            if (d.kind() != kind) {
                continue;
            }
            long limit = d.window().limit();
            long left = Math.max(0, remaining[i]);
            // greedy refill: one unit every period/limit, so the window is full again after (limit - left) of them
            long resetNanos = (long)
                    Math.ceil((double) (limit - left) * d.window().period().toNanos() / limit);
            if (best == null || left < best.remaining() || (left == best.remaining() && limit < best.limit())) {
                best = new RateLimitInfo(limit, left, Duration.ofNanos(resetNanos));
            }
        }
        return best;
    }
}
