package dev.warden.policy.ratelimit;

import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantPolicy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
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
 * With a Redis URI the buckets live in Redis and are shared by every gateway; while Redis is unreachable the
 * configured fallback applies (refuse with 503, or per-gateway local buckets), and every fallback is logged and
 * counted. {@link #reserve} blocks for Redis round trips: call {@link #reserveAsync} from an event loop.
 */
public final class RateLimiter implements AutoCloseable {

    static final String CONCURRENCY_SUFFIX = ":concurrent";
    private static final System.Logger LOG = System.getLogger(RateLimiter.class.getName());
    /** Slots never refill on their own; released slots come back through addTokens. */
    private static final Duration NEVER = Duration.ofDays(3650);

    enum Kind { REQUESTS, TOKENS, CONCURRENT }

    /** One bucket a reservation draws from. */
    record Draw(Kind kind, String scope, String key, BucketConfiguration configuration, long cost, Window window,
                int slots) {

        String limit() {
            return kind == Kind.CONCURRENT ? slots + " concurrent" : window + (kind == Kind.TOKENS ? " tokens"
                    : " requests");
        }
    }

    private final RateLimiterOptions options;
    private final LocalBucketStore local;
    private final RedisBucketStore redis;
    private final ConcurrentHashMap<String, BucketConfiguration> configurations = new ConcurrentHashMap<>();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder storeErrors = new LongAdder();
    private final List<Consumer<Throwable>> fallbackListeners = new CopyOnWriteArrayList<>();
    private volatile long redisDownUntil;
    private volatile boolean redisDown;

    private RateLimiter(RateLimiterOptions options) {
        this.options = options;
        this.local = new LocalBucketStore(options.maxLocalBuckets(), options.localIdleExpiry());
        this.redis = options.redisUri() == null ? null
                : new RedisBucketStore(options.redisUri(), options.redisTimeout(), options.concurrencyTtl(),
                        options.maxLocalBuckets());
    }

    public static RateLimiter create(RateLimiterOptions options) {
        return new RateLimiter(Objects.requireNonNull(options));
    }

    /** Reserves for an authenticated caller on {@code model}. */
    public Reservation reserve(Principal principal, String model, long estimatedTokens) {
        TenantPolicy policy = principal.policy();
        return reserve(principal.tenantId(), principal.keyId(), principal.keyLimits(), policy.limits().tenant(),
                model, policy.limits().model(model), estimatedTokens);
    }

    /** {@link #reserve(Principal, String, long)} off the caller's thread when Redis is involved. */
    public CompletableFuture<Reservation> reserveAsync(Principal principal, String model, long estimatedTokens,
                                                       Executor executor) {
        if (redis == null) {
            return CompletableFuture.completedFuture(reserve(principal, model, estimatedTokens));
        }
        return CompletableFuture.supplyAsync(() -> reserve(principal, model, estimatedTokens), executor);
    }

    public Reservation reserve(String tenantId, String keyId, LimitSet keyLimits, LimitSet tenantLimits,
                               String model, LimitSet modelLimits, long estimatedTokens) {
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimated tokens cannot be negative: " + estimatedTokens);
        }
        List<Draw> draws = new ArrayList<>();
        plan(draws, "key", tenantId + "/" + keyId, keyLimits, estimatedTokens);
        plan(draws, "tenant", tenantId, tenantLimits, estimatedTokens);
        plan(draws, "model", tenantId + "/" + model, modelLimits, estimatedTokens);
        for (Draw d : draws) {
            if (d.kind() == Kind.TOKENS && d.cost() > d.window().limit()) {
                return Reservation.rejected(new Rejection(Rejection.Reason.TOO_LARGE, d.scope(), d.limit(), null));
            }
        }
        if (redis == null) {
            return attempt(local, draws, estimatedTokens);
        }
        if (System.nanoTime() < redisDownUntil) {
            return fallback(draws, estimatedTokens);
        }
        try {
            Reservation r = attempt(redis, draws, estimatedTokens);
            if (redisDown) {
                redisDown = false;
                LOG.log(System.Logger.Level.INFO, "Redis rate-limit store reachable again");
            }
            return r;
        } catch (BucketStore.StoreUnavailableException e) {
            redisFailed(e);
            return fallback(draws, estimatedTokens);
        }
    }

    private Reservation fallback(List<Draw> draws, long estimatedTokens) {
        fallbacks.increment();
        if (options.fallback() == RateLimiterOptions.Fallback.LOCAL) {
            return attempt(local, draws, estimatedTokens);
        }
        return Reservation.rejected(new Rejection(Rejection.Reason.UNAVAILABLE, "", "",
                options.redisRetryInterval()));
    }

    void redisFailed(RuntimeException e) {
        storeErrors.increment();
        redisDownUntil = System.nanoTime() + options.redisRetryInterval().toNanos();
        if (!redisDown) {
            redisDown = true;
            LOG.log(System.Logger.Level.WARNING, "Redis rate-limit store unreachable, falling back to "
                    + (options.fallback() == RateLimiterOptions.Fallback.LOCAL ? "per-gateway local limits"
                    : "refusing requests (fail closed)") + ": " + e.getMessage());
        }
        for (Consumer<Throwable> l : fallbackListeners) {
            l.accept(e);
        }
    }

    private Reservation attempt(BucketStore store, List<Draw> draws, long estimatedTokens) {
        List<Draw> taken = new ArrayList<>(draws.size());
        long[] remaining = new long[draws.size()];
        for (int i = 0; i < draws.size(); i++) {
            Draw d = draws.get(i);
            ConsumptionProbe probe;
            try {
                probe = store.tryConsume(d.key(), d.configuration(), d.cost());
            } catch (BucketStore.StoreUnavailableException e) {
                giveBack(store, taken);
                throw e;
            }
            if (!probe.isConsumed()) {
                giveBack(store, taken);
                // report the state the caller is left with: what was given back is available again
                for (int j = 0; j < i; j++) {
                    remaining[j] += draws.get(j).cost();
                }
                remaining[i] = probe.getRemainingTokens();
                Duration wait = d.kind() == Kind.CONCURRENT ? Duration.ofSeconds(1)
                        : Duration.ofNanos(probe.getNanosToWaitForRefill());
                Rejection.Reason reason = switch (d.kind()) {
                    case REQUESTS -> Rejection.Reason.REQUESTS;
                    case TOKENS -> Rejection.Reason.TOKENS;
                    case CONCURRENT -> Rejection.Reason.CONCURRENT;
                };
                return Reservation.rejected(new Rejection(reason, d.scope(), d.limit(), wait),
                        info(draws, remaining, Kind.REQUESTS, i + 1), info(draws, remaining, Kind.TOKENS, i + 1));
            }
            taken.add(d);
            remaining[i] = probe.getRemainingTokens();
        }
        return Reservation.admitted(this, store, taken, estimatedTokens,
                info(draws, remaining, Kind.REQUESTS, draws.size()), info(draws, remaining, Kind.TOKENS, draws.size()));
    }

    /** The window of {@code kind} with the least remaining among the first {@code upTo} draws. */
    private static RateLimitInfo info(List<Draw> draws, long[] remaining, Kind kind, int upTo) {
        RateLimitInfo best = null;
        for (int i = 0; i < upTo; i++) {
            Draw d = draws.get(i);
            if (d.kind() != kind) {
                continue;
            }
            long limit = d.window().limit();
            long left = Math.max(0, remaining[i]);
            // greedy refill: one unit every period/limit, so the window is full again after (limit - left) of them
            long resetNanos = (long) Math.ceil((double) (limit - left) * d.window().period().toNanos() / limit);
            if (best == null || left < best.remaining() || (left == best.remaining() && limit < best.limit())) {
                best = new RateLimitInfo(limit, left, Duration.ofNanos(resetNanos));
            }
        }
        return best;
    }

    void giveBack(BucketStore store, List<Draw> taken) {
        for (Draw d : taken) {
            try {
                store.addTokens(d.key(), d.configuration(), d.cost());
            } catch (BucketStore.StoreUnavailableException e) {
                storeErrors.increment();
            }
        }
    }

    /** Refund ({@code delta} > 0) or charge ({@code delta} < 0) the token buckets a reservation drew from. */
    void adjustTokens(BucketStore store, List<Draw> taken, long delta) {
        for (Draw d : taken) {
            if (d.kind() != Kind.TOKENS) {
                continue;
            }
            try {
                if (delta > 0) {
                    store.addTokens(d.key(), d.configuration(), delta);
                } else {
                    store.consumeIgnoringLimits(d.key(), d.configuration(), -delta);
                }
            } catch (BucketStore.StoreUnavailableException e) {
                storeErrors.increment();
                LOG.log(System.Logger.Level.WARNING, "Could not settle tokens on " + d.key() + ": " + e.getMessage());
            }
        }
    }

    void releaseSlots(BucketStore store, List<Draw> taken) {
        for (Draw d : taken) {
            if (d.kind() != Kind.CONCURRENT) {
                continue;
            }
            try {
                store.addTokens(d.key(), d.configuration(), 1);
            } catch (BucketStore.StoreUnavailableException e) {
                // the slot comes back when the bucket's TTL runs out
                storeErrors.increment();
                LOG.log(System.Logger.Level.WARNING, "Could not release slot on " + d.key() + ": " + e.getMessage());
            }
        }
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
                .addLimit(Bandwidth.builder().capacity(w.limit()).refillGreedy(w.limit(), w.period()).build())
                .build());
    }

    private BucketConfiguration slots(int n) {
        return configurations.computeIfAbsent("slots:" + n, k -> BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(n).refillIntervally(n, NEVER).build())
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
