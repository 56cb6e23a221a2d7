package dev.warden.policy.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes a tenant's entries older than its retention period without breaking its chain: first a
 * {@link RetentionCheckpoint} naming the last entry to delete (and its hash) is appended to the chain and
 * committed, then that entry and everything before it are deleted and it becomes the chain's anchor, in one
 * transaction. The verifier starts from the anchor and accepts it only because a hashed checkpoint vouches for it.
 * <p>
 * Only a chain's writer may append its checkpoint, so this trims the tenant's chain of the given log's instance
 * ({@link AuditLog#instanceId()}); with several replicas each one runs retention for its own chains. Chains of
 * instances that no longer run (and the {@link ChainId#LEGACY_INSTANCE} chains after an upgrade) are trimmed by a
 * log opened with that instance id.
 */
public final class Retention {

    /** What one run did; {@code deleted} is 0 and the optionals empty when nothing was old enough. */
    public record Result(
            String tenant,
            Instant cutoff,
            long deleted,
            Optional<ChainHead> anchor,
            Optional<ChainedEntry> checkpoint) {}

    private static final long CHECKPOINT_TIMEOUT_SECONDS = 30;

    private final AuditLog log;
    private final Clock clock;

    public Retention(AuditLog log) {
        this(log, Clock.systemUTC());
    }

    public Retention(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    public Result apply(String tenant, Duration period) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(period);
        AuditStore store = log.store();
        ChainId chain = new ChainId(tenant, log.instanceId());
        Optional<ChainHead> last = store.lastBefore(chain, cutoff);
        if (last.isEmpty()) {
            return new Result(tenant, cutoff, 0, Optional.empty(), Optional.empty());
        }
        ChainHead anchor = last.get();
        ChainedEntry checkpoint = await(log.appendCheckpoint(
                new RetentionCheckpoint(tenant, now, period, cutoff, anchor.seq(), anchor.hash())));
        ChainHead stored = store.heads(chain.instance()).get(tenant);
        if (stored == null || stored.seq() < checkpoint.seq()) {
            // The checkpoint went to the spill file: deleting now would leave an anchor nobody can vouch for yet.
            throw new AuditStoreException(
                    "retention checkpoint for " + chain + " is not in the store yet; " + "retention deferred", null);
        }
        long deleted = store.deleteThrough(anchor);
        return new Result(tenant, cutoff, deleted, Optional.of(anchor), Optional.of(checkpoint));
    }

    /**
     * Erases the detached content of the tenant's records (this log's chain) older than {@code period}; the records
     * stay and still verify. Returns how many records lost their content.
     */
    public long eraseContent(String tenant, Duration period) {
        return log.store()
                .eraseContent(
                        new ChainId(tenant, log.instanceId()), clock.instant().minus(period));
    }

    private static ChainedEntry await(java.util.concurrent.CompletableFuture<ChainedEntry> future) {
        try {
            return future.get(CHECKPOINT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditStoreException("interrupted while appending a retention checkpoint", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditStoreException("could not append a retention checkpoint", e);
        }
    }
}
