package dev.warden.policy.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where chained audit entries are kept. Implementations: {@link SqliteAuditStore} (embedded default) and
 * {@link PostgresAuditStore}; {@link AuditStores#open(String)} picks one from a URL. Writes come from one
 * {@link AuditLog} writer; reads may come from any thread. Every method may throw {@link AuditStoreException}.
 */
public interface AuditStore extends AutoCloseable {

    /**
     * Stores the entries in one transaction; returns once it is committed. Idempotent per (tenant, seq): an entry
     * already present is left as it is, so replaying a batch whose commit acknowledgement was lost is safe.
     */
    void append(List<ChainedEntry> entries);

    /** The last link of every tenant's chain (or its retention anchor when nothing newer is left). */
    Map<String, ChainHead> heads();

    /** Where a tenant's chain starts after retention: the last deleted entry. Empty when nothing was deleted. */
    Optional<ChainHead> anchor(String tenant);

    List<String> tenants();

    /** Feeds the tenant's entries to {@code sink} in sequence order, from {@code afterSeq + 1}. */
    void scanChain(String tenant, long afterSeq, Consumer<StoredRow> sink);

    AuditPage query(AuditQuery query);

    /** Counts of the request records matching {@code filter} (its cursor and limit are ignored). */
    List<BucketCount> count(AuditQuery filter, TimeBucket bucket, CountKey key);

    /** The newest entry of the tenant's chain that is older than {@code cutoff}. */
    Optional<ChainHead> lastBefore(String tenant, Instant cutoff);

    /**
     * Deletes the tenant's entries up to and including {@code anchor.seq()} and makes {@code anchor} the chain's
     * start, in one transaction. Returns how many entries were deleted.
     */
    long deleteThrough(ChainHead anchor);

    @Override
    void close();
}
