package dev.warden.policy.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Where buckets live. Each call is atomic on one bucket: in memory by Bucket4j's lock-free local buckets, in Redis
 * by a compare-and-swap transaction on the server. A store that cannot reach its backend throws
 * {@link StoreUnavailableException}.
 */
interface BucketStore extends AutoCloseable {

    ConsumptionProbe tryConsume(String key, BucketConfiguration configuration, long tokens);

    /** Returns tokens (a refund or a released slot); never above capacity. */
    void addTokens(String key, BucketConfiguration configuration, long tokens);

    /** Takes tokens even below zero: usage that already happened has to be paid for. */
    void consumeIgnoringLimits(String key, BucketConfiguration configuration, long tokens);

    String name();

    @Override
    void close();

    final class StoreUnavailableException extends RuntimeException {
        StoreUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
