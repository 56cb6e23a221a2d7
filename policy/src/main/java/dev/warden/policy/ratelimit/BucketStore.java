package dev.warden.policy.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Where buckets live. Each call is atomic on one bucket: in memory by Bucket4j's lock-free local buckets, in Redis
 * by a compare-and-swap transaction on the server. Calls return futures so that a Redis round trip never holds a
 * thread: the local store's are complete on return. A store that cannot reach its backend fails the future with
 * {@link StoreUnavailableException}.
 */
interface BucketStore extends AutoCloseable {

    CompletableFuture<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration, long tokens);

    /** Returns tokens (a refund or a released slot); never above capacity. */
    CompletableFuture<Void> addTokens(String key, BucketConfiguration configuration, long tokens);

    /** Takes tokens even below zero: usage that already happened has to be paid for. */
    CompletableFuture<Void> consumeIgnoringLimits(String key, BucketConfiguration configuration, long tokens);

    String name();

    @Override
    void close();

    /** What a failed future failed with, without the wrappers that composing futures adds. */
    static Throwable cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    final class StoreUnavailableException extends RuntimeException {
        StoreUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
