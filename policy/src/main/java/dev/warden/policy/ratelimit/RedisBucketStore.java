package dev.warden.policy.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * Buckets in Redis through Bucket4j's Lettuce proxy manager: every consume, refund and release is one
 * compare-and-swap transaction on the server, so any number of gateways share one exact limit. Nothing is checked
 * locally first.
 * <p>
 * Rate buckets expire once they would have refilled anyway. Concurrency buckets never refill; they expire after
 * {@code concurrencyTtl} without any acquire or release, which is how slots held by a gateway that died are
 * recovered.
 */
final class RedisBucketStore implements BucketStore {

    private final RedisClient client;
    private final Duration timeout;
    private final Duration concurrencyTtl;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> rates;
    private volatile ProxyManager<byte[]> slots;

    RedisBucketStore(String redisUri, Duration timeout, Duration concurrencyTtl) {
        RedisURI uri = RedisURI.create(redisUri);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        // Fail fast while disconnected instead of queueing commands until the timeout: the caller has a fallback.
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .autoReconnect(true)
                .build());
        this.timeout = timeout;
        this.concurrencyTtl = concurrencyTtl;
    }

    private ProxyManager<byte[]> managers(boolean concurrency) {
        if (rates == null) {
            synchronized (this) {
                if (rates == null) {
                    StatefulRedisConnection<byte[], byte[]> c;
                    try {
                        c = client.connect(ByteArrayCodec.INSTANCE);
                    } catch (RuntimeException e) {
                        throw new StoreUnavailableException("cannot connect to Redis: " + e.getMessage(), e);
                    }
                    connection = c;
                    slots = Bucket4jLettuce.casBasedBuilder(c).requestTimeout(timeout)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(concurrencyTtl))
                            .build();
                    rates = Bucket4jLettuce.casBasedBuilder(c).requestTimeout(timeout)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy
                                    .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .build();
                }
            }
        }
        return concurrency ? slots : rates;
    }

    private <T> T call(String key, BucketConfiguration configuration, Function<io.github.bucket4j.Bucket, T> op) {
        boolean concurrency = key.endsWith(RateLimiter.CONCURRENCY_SUFFIX);
        ProxyManager<byte[]> manager = managers(concurrency);
        try {
            return op.apply(manager.getProxy(key.getBytes(StandardCharsets.UTF_8), () -> configuration));
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("Redis call failed: " + e, e);
        }
    }

    @Override
    public ConsumptionProbe tryConsume(String key, BucketConfiguration configuration, long tokens) {
        return call(key, configuration, b -> b.tryConsumeAndReturnRemaining(tokens));
    }

    @Override
    public void addTokens(String key, BucketConfiguration configuration, long tokens) {
        call(key, configuration, b -> {
            b.addTokens(tokens);
            return null;
        });
    }

    @Override
    public void consumeIgnoringLimits(String key, BucketConfiguration configuration, long tokens) {
        call(key, configuration, b -> b.consumeIgnoringRateLimits(tokens));
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
