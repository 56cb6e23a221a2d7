package dev.warden.policy.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Buckets in this JVM, in a size-bounded Caffeine cache so that a flood of distinct keys cannot exhaust memory.
 * An evicted bucket starts again full: eviction can only make limits more lenient, never stricter, and only for
 * scopes idle long enough to be the least recently used. Every call is done when it returns.
 */
final class LocalBucketStore implements BucketStore {

    private final Cache<String, Bucket> buckets;

    LocalBucketStore(long maximumBuckets, Duration idleExpiry) {
        // Maintenance (eviction, expiry) on the caller's thread: cheap, and no pool thread woken per request.
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maximumBuckets)
                .expireAfterAccess(idleExpiry)
                .executor(Runnable::run)
                .build();
    }

    private Bucket bucket(String key, BucketConfiguration configuration) {
        return buckets.get(
                key,
                k -> Bucket.builder().addLimit(configuration.getBandwidths()[0]).build());
    }

    @Override
    public CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration, long tokens) {
        return CompletableFuture.completedFuture(bucket(key, configuration).tryConsumeAndReturnRemaining(tokens));
    }

    @Override
    public CompletableFuture<Void> addTokens(String key, BucketConfiguration configuration, long tokens) {
        bucket(key, configuration).addTokens(tokens);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> consumeIgnoringLimits(String key, BucketConfiguration configuration, long tokens) {
        bucket(key, configuration).consumeIgnoringRateLimits(tokens);
        return CompletableFuture.completedFuture(null);
    }

    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public void close() {
        buckets.invalidateAll();
    }
}
