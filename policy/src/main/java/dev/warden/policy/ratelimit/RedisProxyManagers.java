package dev.warden.policy.ratelimit;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bucket4j's asynchronous proxy managers on one Lettuce connection. The connection is opened at start and, after a
 * failed attempt, again on use, in the background: a reservation never waits for a connect longer than its own
 * time limit. Once open, Lettuce reconnects it by itself.
 */
final class RedisProxyManagers implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisProxyManagers.class.getName());

    /** Rate buckets, and concurrency buckets (which expire differently), on the same connection. */
    record Managers(
            StatefulRedisConnection<byte[], byte[]> connection,
            AsyncProxyManager<byte[]> rates,
            AsyncProxyManager<byte[]> slots) {}

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration concurrencyTtl;
    private volatile CompletableFuture<Managers> current;

    /**
     * @param backstop Lettuce's own limit on one command and on a connect. Reservations have a shorter limit of
     *                 their own; this one ends what no reservation waits for any more (a late give-back, a settle,
     *                 a release, a connect) so that Lettuce's queue cannot grow without bound while Redis stalls.
     */
    RedisProxyManagers(String redisUri, Duration backstop, Duration concurrencyTtl) {
        this.uri = RedisURI.create(redisUri);
        uri.setTimeout(backstop); // also bounds the handshake after the TCP connect
        this.client = RedisClient.create(uri);
        // Fail fast while disconnected instead of queueing commands until the timeout: the caller has a fallback.
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(backstop).build())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(backstop))
                .autoReconnect(true)
                .build());
        this.concurrencyTtl = concurrencyTtl;
        // Connect now, not on the first request: booting Lettuce in a cold JVM takes longer than a reservation may.
        // Bounded by the backstop; a connect that fails or is still under way only leaves Redis to the fallback
        // until a later attempt succeeds.
        try {
            managers().get(backstop.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Redis rate-limit store not reachable at start; will retry on use: " + BucketStore.cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The managers, or the connect attempt under way; a failed attempt is replaced by a new one. */
    CompletableFuture<Managers> managers() {
        CompletableFuture<Managers> m = current;
        if (m != null && !m.isCompletedExceptionally()) {
            return m;
        }
        synchronized (this) {
            if (current == null || current.isCompletedExceptionally()) {
                current = connect();
            }
            return current;
        }
    }

    private CompletableFuture<Managers> connect() {
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connecting;
        try {
            connecting = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
        } catch (RuntimeException e) {
            connecting = CompletableFuture.failedFuture(e);
        }
        return connecting.handle((c, e) -> {
            if (e != null) {
                Throwable cause = BucketStore.cause(e);
                Throwable root = cause;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                throw new BucketStore.StoreUnavailableException(
                        "cannot connect to Redis: " + cause.getMessage() + (root != cause ? " (" + root + ")" : ""),
                        cause);
            }
            return new Managers(
                    c,
                    Bucket4jLettuce.casBasedBuilder(c)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                    Duration.ofSeconds(10)))
                            .build()
                            .asAsync(),
                    Bucket4jLettuce.casBasedBuilder(c)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(concurrencyTtl))
                            .build()
                            .asAsync());
        });
    }

    @Override
    public void close() {
        CompletableFuture<Managers> m = current;
        if (m != null && m.isDone() && !m.isCompletedExceptionally()) {
            m.join().connection().close();
        }
        // closes a connection still being opened, too
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
