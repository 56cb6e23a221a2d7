package dev.warden.policy.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
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
    private final Duration operationTimeout;
    private final Duration concurrencyTtl;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> rates;
    private volatile ProxyManager<byte[]> slots;
    /** Proxies hold the batching state, so they are kept; bounded like the local buckets. */
    private final Cache<String, Bucket> proxies;

    RedisBucketStore(String redisUri, Duration timeout, Duration concurrencyTtl, long maxProxies) {
        this.proxies = Caffeine.newBuilder().maximumSize(maxProxies).expireAfterAccess(Duration.ofHours(1)).build();
        RedisURI uri = RedisURI.create(redisUri);
        // The URI timeout also bounds connection set-up (handshake included), which on a cold JVM boots Netty:
        // give it more than a command gets; commands have their own timeout below.
        uri.setTimeout(timeout.multipliedBy(4));
        this.client = RedisClient.create(uri);
        // Fail fast while disconnected instead of queueing commands until the timeout: the caller has a fallback.
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(timeout.multipliedBy(4)).build())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .autoReconnect(true)
                .build());
        this.timeout = timeout;
        // one bucket operation may take several CAS rounds under contention: allow it more than one command
        this.operationTimeout = timeout.multipliedBy(4);
        this.concurrencyTtl = concurrencyTtl;
        try {
            managers(false); // connect now, not on the first request; Lettuce reconnects by itself afterwards
        } catch (StoreUnavailableException e) {
            System.getLogger(RedisBucketStore.class.getName()).log(System.Logger.Level.WARNING,
                    "Redis rate-limit store not reachable at start; will retry on use: " + e.getMessage());
        }
    }

    private ProxyManager<byte[]> managers(boolean concurrency) {
        if (rates == null) {
            synchronized (this) {
                if (rates == null) {
                    StatefulRedisConnection<byte[], byte[]> c;
                    try {
                        c = client.connect(ByteArrayCodec.INSTANCE);
                    } catch (RuntimeException e) {
                        Throwable root = e;
                        while (root.getCause() != null) {
                            root = root.getCause();
                        }
                        throw new StoreUnavailableException("cannot connect to Redis: " + e.getMessage()
                                + (root != e ? " (" + root + ")" : ""), e);
                    }
                    connection = c;
                    slots = Bucket4jLettuce.casBasedBuilder(c).requestTimeout(operationTimeout)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(concurrencyTtl))
                            .build();
                    rates = Bucket4jLettuce.casBasedBuilder(c).requestTimeout(operationTimeout)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy
                                    .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .build();
                }
            }
        }
        return concurrency ? slots : rates;
    }

    private <T> T call(String key, BucketConfiguration configuration, Function<Bucket, T> op) {
        Bucket bucket = proxies.get(key, k -> {
            ProxyManager<byte[]> manager = managers(k.endsWith(RateLimiter.CONCURRENCY_SUFFIX));
            // Batching merges the concurrent requests of this JVM on one bucket into one CAS transaction: without
            // it, dozens of threads on one tenant's bucket retry their CAS against each other until they time out.
            return manager.builder().withOptimization(Optimizations.batching())
                    .build(k.getBytes(StandardCharsets.UTF_8), () -> configuration);
        });
        try {
            return op.apply(bucket);
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
