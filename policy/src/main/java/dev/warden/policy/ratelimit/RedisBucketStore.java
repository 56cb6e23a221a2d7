package dev.warden.policy.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Buckets in Redis through Bucket4j's Lettuce proxy manager, asynchronously: every consume, refund and release is
 * one compare-and-swap transaction on the server, so any number of gateways share one exact limit, and no thread
 * waits for the server meanwhile. Nothing is checked locally first.
 * <p>
 * Rate buckets expire once they would have refilled anyway. Concurrency buckets never refill; they expire after
 * {@code concurrencyTtl} without any acquire or release, which is how slots held by a gateway that died are
 * recovered.
 */
final class RedisBucketStore implements BucketStore {

    private final RedisProxyManagers managers;
    /** Proxies hold the batching state, so they are kept; bounded like the local buckets. */
    private final Cache<String, AsyncBucketProxy> proxies;

    /**
     * @param backstop Lettuce's own command and connect timeout (see {@link RedisProxyManagers}); the time limit
     *                 of a reservation is the limiter's, and shorter
     */
    RedisBucketStore(String redisUri, Duration backstop, Duration concurrencyTtl, long maxProxies) {
        this.proxies = Caffeine.newBuilder()
                .maximumSize(maxProxies)
                .expireAfterAccess(Duration.ofHours(1))
                .executor(Runnable::run)
                .build();
        this.managers = new RedisProxyManagers(redisUri, backstop, concurrencyTtl);
    }

    private <T> CompletableFuture<T> call(
            String key, BucketConfiguration configuration, Function<AsyncBucketProxy, CompletableFuture<T>> op) {
        CompletableFuture<T> call;
        try {
            call = managers.managers().thenCompose(m -> op.apply(proxy(m, key, configuration)));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.exceptionallyCompose(e -> {
            Throwable cause = BucketStore.cause(e);
            return CompletableFuture.failedFuture(
                    cause instanceof StoreUnavailableException unavailable
                            ? unavailable
                            : new StoreUnavailableException("Redis call failed: " + cause, cause));
        });
    }

    private AsyncBucketProxy proxy(RedisProxyManagers.Managers m, String key, BucketConfiguration configuration) {
        return proxies.get(key, k -> {
            AsyncProxyManager<byte[]> manager = k.endsWith(RateLimiter.CONCURRENCY_SUFFIX) ? m.slots() : m.rates();
            // Batching merges the concurrent requests of this JVM on one bucket into one CAS transaction: without
            // it, dozens of requests on one tenant's bucket retry their CAS against each other until they time out.
            return manager.builder()
                    .withOptimization(Optimizations.batching())
                    .build(k.getBytes(StandardCharsets.UTF_8), configuration);
        });
    }

    @Override
    public CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration, long tokens) {
        return call(key, configuration, b -> b.tryConsumeAndReturnRemaining(tokens));
    }

    @Override
    public CompletableFuture<Void> addTokens(String key, BucketConfiguration configuration, long tokens) {
        return call(key, configuration, b -> b.addTokens(tokens));
    }

    @Override
    public CompletableFuture<Void> consumeIgnoringLimits(String key, BucketConfiguration configuration, long tokens) {
        return call(key, configuration, b -> b.consumeIgnoringRateLimits(tokens).thenApply(penalty -> null));
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        managers.close();
    }
}
