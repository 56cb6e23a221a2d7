package dev.warden.policy.ratelimit;

import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantPolicy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Requests per window, tokens per window and concurrent requests, per key, per tenant and per tenant-model, with
 * Bucket4j. Every window is its own bucket, so any number of windows (per minute and per day, say) hold at once.
 * <p>
 * A reservation takes one request, the estimated tokens (prompt plus {@code max_tokens}) and a concurrency slot
 * from every bucket that applies, bucket by bucket, each atomically. When a bucket refuses, what was already taken
 * is given back. Nothing is ever admitted past a bucket's capacity; under contention a give-back can at worst make
 * another request see a bucket emptier than it ends up, i.e. be refused a moment early.
 * <p>
 * With a Redis URI the buckets live in Redis and are shared by every gateway; while Redis is unreachable, or does
 * not complete a reservation within {@link RateLimiterOptions#redisTimeout()}, the configured fallback applies
 * (refuse with 503, or per-gateway local buckets), and every fallback is logged and counted. {@link #reserve}
 * blocks for Redis round trips (at most the time limit): call {@link #reserveAsync} from an event loop. Settling
 * and releasing never block on Redis.
 */
public final class RateLimiter implements AutoCloseable {

    static final String CONCURRENCY_SUFFIX = ":concurrent";
    private static final System.Logger LOG = System.getLogger(RateLimiter.class.getName());
    /** Slots never refill on their own; released slots come back through addTokens. */
    private static final Duration NEVER = Duration.ofDays(3650);
    /**
     * Lettuce's own command and connect timeout, as a multiple of the reservation's time limit. Longer on purpose:
     * a reply that comes a little after a reservation gave up is still seen, and what it took is given back.
     */
    private static final int BACKSTOP_FACTOR = 8;
    /** Unconfirmed slot releases kept for replay; far more than any plausible stall leaves behind. */
    private static final int MAX_UNCONFIRMED_SLOTS = 10_000;

    enum Kind {
        REQUESTS,
        TOKENS,
        CONCURRENT
    }

    /** One bucket a reservation draws from. */
    record Draw(
            Kind kind,
            String scope,
            String key,
            BucketConfiguration configuration,
            long cost,
            Window window,
            int slots) {

        String limit() {
            return kind == Kind.CONCURRENT
                    ? slots + " concurrent"
                    : window + (kind == Kind.TOKENS ? " tokens" : " requests");
        }
    }

    private final RateLimiterOptions options;
    private final LocalBucketStore local;
    private final RedisBucketStore redis;
    private final ConcurrentHashMap<String, BucketConfiguration> configurations = new ConcurrentHashMap<>();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder storeErrors = new LongAdder();
    private final List<Consumer<Throwable>> fallbackListeners = new CopyOnWriteArrayList<>();
    private final PendingReleases unconfirmedSlots = new PendingReleases(MAX_UNCONFIRMED_SLOTS);
    private volatile long redisDownUntil;
    private volatile boolean redisDown;

    private RateLimiter(RateLimiterOptions options) {
        this.options = options;
        this.local = new LocalBucketStore(options.maxLocalBuckets(), options.localIdleExpiry());
        this.redis = options.redisUri() == null
                ? null
                : new RedisBucketStore(
                        options.redisUri(),
                        options.redisTimeout().multipliedBy(BACKSTOP_FACTOR),
                        options.concurrencyTtl(),
                        options.maxLocalBuckets());
    }

    public static RateLimiter create(RateLimiterOptions options) {
        return new RateLimiter(Objects.requireNonNull(options));
    }

    /** Reserves for an authenticated caller on {@code model}; waits at most the Redis time limit. */
    public Reservation reserve(Principal principal, String model, long estimatedTokens) {
        return join(decide(principal, model, estimatedTokens));
    }

    /**
     * {@link #reserve(Principal, String, long)} without blocking. When Redis is involved the future completes on
     * {@code executor}, so that the caller's next steps never run on Lettuce's I/O thread or the JDK's timer
     * thread; without Redis, or when the fallback decides at once, it is complete on return.
     */
    public CompletableFuture<Reservation> reserveAsync(
            Principal principal, String model, long estimatedTokens, Executor executor) {
        CompletableFuture<Reservation> decided = decide(principal, model, estimatedTokens);
        return decided.isDone() ? decided : handOver(decided, executor);
    }

    /**
     * Reserves one call of the Files and Batch API for an authenticated caller: one request (and a concurrency
     * slot, if configured) from the key's {@link RateLimits#filesAndBatches()} limits, and from nothing else.
     * Completes as {@link #reserveAsync} does.
     */
    public CompletableFuture<Reservation> reserveFilesAndBatchesAsync(Principal principal, Executor executor) {
        List<Draw> draws = new ArrayList<>();
        plan(
                draws,
                "files-and-batches",
                principal.tenantId() + "/" + principal.keyId(),
                principal.policy().limits().filesAndBatches(),
                0);
        CompletableFuture<Reservation> decided = admit(draws, 0);
        return decided.isDone() ? decided : handOver(decided, executor);
    }

    private CompletableFuture<Reservation> decide(Principal principal, String model, long estimatedTokens) {
        TenantPolicy policy = principal.policy();
        return decide(
                principal.tenantId(),
                principal.keyId(),
                principal.keyLimits(),
                policy.limits().tenant(),
                model,
                policy.limits().model(model),
                estimatedTokens);
    }

    public Reservation reserve(
            String tenantId,
            String keyId,
            LimitSet keyLimits,
            LimitSet tenantLimits,
            String model,
            LimitSet modelLimits,
            long estimatedTokens) {
        return join(decide(tenantId, keyId, keyLimits, tenantLimits, model, modelLimits, estimatedTokens));
    }

    private CompletableFuture<Reservation> decide(
            String tenantId,
            String keyId,
            LimitSet keyLimits,
            LimitSet tenantLimits,
            String model,
            LimitSet modelLimits,
            long estimatedTokens) {
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimated tokens cannot be negative: " + estimatedTokens);
        }
        List<Draw> draws = new ArrayList<>();
        plan(draws, "key", tenantId + "/" + keyId, keyLimits, estimatedTokens);
        plan(draws, "tenant", tenantId, tenantLimits, estimatedTokens);
        plan(draws, "model", tenantId + "/" + model, modelLimits, estimatedTokens);
        return admit(draws, estimatedTokens);
    }

    /** Takes every draw or none, from Redis or the local buckets, or lets the fallback decide. */
    private CompletableFuture<Reservation> admit(List<Draw> draws, long estimatedTokens) {
        for (Draw d : draws) {
            if (d.kind() == Kind.TOKENS && d.cost() > d.window().limit()) {
                return CompletableFuture.completedFuture(
                        Reservation.rejected(new Rejection(Rejection.Reason.TOO_LARGE, d.scope(), d.limit(), null)));
            }
        }
        if (redis == null) {
            return ReservationAttempt.start(this, local, draws, estimatedTokens);
        }
        if (System.nanoTime() < redisDownUntil) {
            return CompletableFuture.completedFuture(fallback(draws, estimatedTokens));
        }
        if (!unconfirmedSlots.isEmpty()) {
            // Sent before this attempt's draws on the same connection, so Redis applies them first.
            unconfirmedSlots.replay(d -> counted(
                    redis.addTokens(d.key(), d.configuration(), 1),
                    "Could not release slot on " + d.key() + " again",
                    () -> unconfirmedSlots.add(d)));
        }
        CompletableFuture<Reservation> attempt = ReservationAttempt.start(this, redis, draws, estimatedTokens);
        // One time limit for all of the reservation's Redis work (a connect, when the connection is not open yet,
        // included): on expiry the attempt is abandoned, giving back whatever it took or still takes, and the
        // fallback decides exactly as when Redis is down.
        attempt.orTimeout(options.redisTimeout().toNanos(), TimeUnit.NANOSECONDS);
        return attempt.handle((r, e) -> {
            if (e == null) {
                redisAnswered();
                return r;
            }
            Throwable cause = BucketStore.cause(e);
            if (cause instanceof TimeoutException) {
                redisFailed(new BucketStore.StoreUnavailableException(
                        "Redis did not complete the reservation within "
                                + options.redisTimeout().toMillis() + " ms (warden.rate-limit.redis-timeout)",
                        cause));
            } else if (cause instanceof BucketStore.StoreUnavailableException unavailable) {
                redisFailed(unavailable);
            } else {
                throw new CompletionException(cause); // a bug, not an outage: no fallback hides it
            }
            return fallback(draws, estimatedTokens);
        });
    }

    private static Reservation join(CompletableFuture<Reservation> decided) {
        try {
            return decided.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static CompletableFuture<Reservation> handOver(CompletableFuture<Reservation> decided, Executor executor) {
        CompletableFuture<Reservation> handed = new CompletableFuture<>();
        decided.whenComplete((r, e) -> {
            try {
                executor.execute(() -> {
                    if (e != null) {
                        handed.completeExceptionally(BucketStore.cause(e));
                    } else {
                        handed.complete(r);
                    }
                });
            } catch (RejectedExecutionException overloaded) {
                if (r != null) {
                    // nobody will use this reservation: give back what it holds
                    r.settle(0);
                    r.release();
                }
                handed.completeExceptionally(overloaded);
            }
        });
        return handed;
    }

    private Reservation fallback(List<Draw> draws, long estimatedTokens) {
        fallbacks.increment();
        if (options.fallback() == RateLimiterOptions.Fallback.LOCAL) {
            return ReservationAttempt.start(this, local, draws, estimatedTokens).join();
        }
        return Reservation.rejected(new Rejection(Rejection.Reason.UNAVAILABLE, "", "", options.redisRetryInterval()));
    }

    private void redisAnswered() {
        if (redisDown) {
            redisDown = false;
            LOG.log(System.Logger.Level.INFO, "Redis rate-limit store reachable again");
        }
    }

    void redisFailed(RuntimeException e) {
        storeErrors.increment();
        redisDownUntil = System.nanoTime() + options.redisRetryInterval().toNanos();
        if (!redisDown) {
            redisDown = true;
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Redis rate-limit store unreachable, falling back to "
                            + (options.fallback() == RateLimiterOptions.Fallback.LOCAL
                                    ? "per-gateway local limits"
                                    : "refusing requests (fail closed)")
                            + ": " + e.getMessage());
        }
        for (Consumer<Throwable> l : fallbackListeners) {
            l.accept(e);
        }
    }

    /** Gives back what a refused, failed or abandoned attempt took; nobody waits for it. */
    void giveBack(BucketStore store, List<Draw> taken) {
        for (Draw d : taken) {
            counted(store.addTokens(d.key(), d.configuration(), d.cost()), null, () -> slotUnconfirmed(store, d));
        }
    }

    private void slotUnconfirmed(BucketStore store, Draw draw) {
        if (store == redis && draw.kind() == Kind.CONCURRENT) {
            unconfirmedSlots.add(draw);
        }
    }

    /**
     * Refund ({@code delta} > 0) or charge ({@code delta} < 0) the token buckets a reservation drew from. The
     * future completes when the store has it, or has failed (counted and logged); it never fails.
     */
    CompletableFuture<Void> adjustTokens(BucketStore store, List<Draw> taken, long delta) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (Draw d : taken) {
            if (d.kind() != Kind.TOKENS) {
                continue;
            }
            calls.add(counted(
                    delta > 0
                            ? store.addTokens(d.key(), d.configuration(), delta)
                            : store.consumeIgnoringLimits(d.key(), d.configuration(), -delta),
                    "Could not settle tokens on " + d.key()));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    /**
     * Gives the concurrency slots back, like {@link #adjustTokens}; a release Redis does not confirm is sent again
     * once it answers ({@link PendingReleases}).
     */
    CompletableFuture<Void> releaseSlots(BucketStore store, List<Draw> taken) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (Draw d : taken) {
            if (d.kind() == Kind.CONCURRENT) {
                calls.add(counted(
                        store.addTokens(d.key(), d.configuration(), 1),
                        "Could not release slot on " + d.key(),
                        () -> slotUnconfirmed(store, d)));
            }
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    /** Counts (and logs, with {@code what}) a failed store call; the returned future never fails. */
    private CompletableFuture<Void> counted(CompletableFuture<Void> call, String what) {
        return counted(call, what, () -> {});
    }

    /** As {@link #counted(CompletableFuture, String)}, running {@code onFailure} when the call failed. */
    private CompletableFuture<Void> counted(CompletableFuture<Void> call, String what, Runnable onFailure) {
        return call.handle((v, e) -> {
            if (e != null) {
                storeErrors.increment();
                if (what != null) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            what + ": " + BucketStore.cause(e).getMessage());
                }
                onFailure.run();
            }
            return null;
        });
    }

    /** Slot releases Redis has not confirmed, waiting to be sent again. */
    public int unconfirmedSlotReleases() {
        return unconfirmedSlots.size();
    }

    private void plan(List<Draw> draws, String scope, String id, LimitSet limits, long tokens) {
        String base = options.keyPrefix() + scope + ":" + id + ":";
        for (Window w : limits.requests()) {
            draws.add(new Draw(Kind.REQUESTS, scope, base + "requests:" + w, configuration(w), 1, w, 0));
        }
        if (tokens > 0) {
            for (Window w : limits.tokens()) {
                draws.add(new Draw(Kind.TOKENS, scope, base + "tokens:" + w, configuration(w), tokens, w, 0));
            }
        }
        if (limits.concurrent() > 0) {
            int n = limits.concurrent();
            draws.add(new Draw(Kind.CONCURRENT, scope, base + n + CONCURRENCY_SUFFIX, slots(n), 1, null, n));
        }
    }

    private BucketConfiguration configuration(Window w) {
        return configurations.computeIfAbsent(w.toString(), k -> BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(w.limit())
                        .refillGreedy(w.limit(), w.period())
                        .build())
                .build());
    }

    private BucketConfiguration slots(int n) {
        return configurations.computeIfAbsent("slots:" + n, k -> BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(n)
                        .refillIntervally(n, NEVER)
                        .build())
                .build());
    }

    /** Called with the cause every time Redis fails and a fallback is taken (or a settle/release is lost). */
    public void onFallback(Consumer<Throwable> listener) {
        fallbackListeners.add(Objects.requireNonNull(listener));
    }

    /** Reservations decided by the fallback because Redis was unreachable. */
    public long fallbackCount() {
        return fallbacks.sum();
    }

    /** Failed Redis operations of any kind (reserve, give-back, settle, release). */
    public long storeErrorCount() {
        return storeErrors.sum();
    }

    long localBucketCount() {
        return local.size();
    }

    public boolean distributed() {
        return redis != null;
    }

    @Override
    public void close() {
        local.close();
        if (redis != null) {
            redis.close();
        }
    }
}
