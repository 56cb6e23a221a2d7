package dev.warden.policy.ratelimit;

import java.time.Duration;

/**
 * @param redisUri          {@code redis://host:6379}; null for local buckets only
 * @param fallback          what to do while Redis is unreachable
 * @param redisTimeout      time limit of one reservation's Redis work, all its commands together (and the connect,
 *                          when the connection is not open yet); on expiry the fallback decides, as when Redis is
 *                          down. Keep it well under the request deadline
 * @param redisRetryInterval after a Redis failure, how long to use the fallback before trying Redis again
 * @param concurrencyTtl    a concurrency bucket untouched this long is reset (recovers slots of a dead gateway)
 * @param maxLocalBuckets   bound on in-memory buckets
 * @param localIdleExpiry   an in-memory bucket unused this long is dropped (keep above the longest window)
 * @param keyPrefix         prefix of every bucket key in Redis
 */
public record RateLimiterOptions(
        String redisUri,
        Fallback fallback,
        Duration redisTimeout,
        Duration redisRetryInterval,
        Duration concurrencyTtl,
        long maxLocalBuckets,
        Duration localIdleExpiry,
        String keyPrefix) {

    /** While Redis is unreachable: refuse with 503 (CLOSED) or enforce the limits per gateway in memory (LOCAL). */
    public enum Fallback {
        CLOSED,
        LOCAL
    }

    public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(250);

    public RateLimiterOptions {
        if (redisTimeout == null || redisTimeout.isNegative() || redisTimeout.isZero()) {
            throw new IllegalArgumentException("the Redis time limit must be positive, got " + redisTimeout);
        }
    }

    public static RateLimiterOptions local() {
        return new RateLimiterOptions(
                null,
                Fallback.LOCAL,
                DEFAULT_REDIS_TIMEOUT,
                Duration.ofSeconds(1),
                Duration.ofMinutes(15),
                100_000,
                Duration.ofHours(25),
                "wdn:rl:");
    }

    public static RateLimiterOptions redis(String uri, Fallback fallback) {
        return new RateLimiterOptions(
                uri,
                fallback,
                DEFAULT_REDIS_TIMEOUT,
                Duration.ofSeconds(1),
                Duration.ofMinutes(15),
                100_000,
                Duration.ofHours(25),
                "wdn:rl:");
    }

    public RateLimiterOptions withRedisRetryInterval(Duration interval) {
        return new RateLimiterOptions(
                redisUri,
                fallback,
                redisTimeout,
                interval,
                concurrencyTtl,
                maxLocalBuckets,
                localIdleExpiry,
                keyPrefix);
    }

    public RateLimiterOptions withRedisTimeout(Duration timeout) {
        return new RateLimiterOptions(
                redisUri,
                fallback,
                timeout,
                redisRetryInterval,
                concurrencyTtl,
                maxLocalBuckets,
                localIdleExpiry,
                keyPrefix);
    }

    public RateLimiterOptions withFallback(Fallback mode) {
        return new RateLimiterOptions(
                redisUri,
                mode,
                redisTimeout,
                redisRetryInterval,
                concurrencyTtl,
                maxLocalBuckets,
                localIdleExpiry,
                keyPrefix);
    }

    public RateLimiterOptions withKeyPrefix(String prefix) {
        return new RateLimiterOptions(
                redisUri,
                fallback,
                redisTimeout,
                redisRetryInterval,
                concurrencyTtl,
                maxLocalBuckets,
                localIdleExpiry,
                prefix);
    }

    public RateLimiterOptions withMaxLocalBuckets(long max) {
        return new RateLimiterOptions(
                redisUri, fallback, redisTimeout, redisRetryInterval, concurrencyTtl, max, localIdleExpiry, keyPrefix);
    }
}
