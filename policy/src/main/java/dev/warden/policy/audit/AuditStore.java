package dev.warden.policy.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where chained audit entries are kept. Implementations: {@link SqliteAuditStore} (embedded default) and
 * {@link PostgresAuditStore}; {@link AuditStores#open(String)} picks one from a URL. Entries live in chains, one per
 * tenant and writer instance ({@link ChainId}): several {@link AuditLog}s (gateway replicas) may write to one store
 * as long as their instance ids differ; each chain has exactly one writer. Reads may come from any thread. Every
 * method may throw {@link AuditStoreException}.
 */
public interface AuditStore extends AutoCloseable {

    /**
     * Stores the entries in one transaction; returns once it is committed. Idempotent per (tenant, instance, seq):
     * an entry already present is left as it is, so replaying a batch whose commit acknowledgement was lost is safe.
     */
    void append(List<ChainedEntry> entries);

    /**
     * The last link of every chain {@code instance} writes, by tenant (or its retention anchor when nothing newer
     * is left).
     */
    Map<String, ChainHead> heads(String instance);

    /** Where a chain starts after retention: the last deleted entry. Empty when nothing was deleted. */
    Optional<ChainHead> anchor(ChainId chain);

    /** Every tenant with at least one chain. */
    List<String> tenants();

    /** Every chain, ordered by tenant then instance. */
    List<ChainId> chains();

    /** Feeds the chain's entries to {@code sink} in sequence order, from {@code afterSeq + 1}. */
    void scanChain(ChainId chain, long afterSeq, Consumer<StoredRow> sink);

    /** Request records of all chains, so a tenant's records from every writer instance. */
    AuditPage query(AuditQuery query);

    /** Counts of the request records matching {@code filter} (its cursor and limit are ignored). */
    List<BucketCount> count(AuditQuery filter, TimeBucket bucket, CountKey key);

    /** The newest entry of the chain that is older than {@code cutoff}. */
    Optional<ChainHead> lastBefore(ChainId chain, Instant cutoff);

    /**
     * Deletes the entries of the anchor's chain up to and including {@code anchor.seq()} and makes {@code anchor}
     * the chain's start, in one transaction. Returns how many entries were deleted.
     */
    long deleteThrough(ChainHead anchor);

    /**
     * The {@link Outcome#STREAM_STARTED} records of {@code instance}'s chains that no other record of the same
     * request follows: streams whose writer stopped before they ended.
     */
    List<ChainedEntry> unfinishedStreams(String instance);

    /** Stores a signed checkpoint of a writer instance's chain heads; a later one of the same instance supersedes it. */
    void appendCheckpoint(HeadCheckpoint checkpoint);

    /** The newest stored checkpoint of each writer instance, by instance (signatures not checked). */
    Map<String, HeadCheckpoint> latestCheckpoints();

    /**
     * Erases the detached content (prompt and response text) of the chain's records older than {@code before},
     * leaving the records, whose hashed bodies hold only the content's digest, intact. Returns how many records
     * lost their content. Content held inline by records from before it was detached is not touched.
     */
    long eraseContent(ChainId chain, Instant before);

    /** Keeps a policy version's documents; a version already stored is left as it is (its first sighting stays). */
    void savePolicyVersion(PolicyVersion version);

    /** The stored policy version with this digest. */
    Optional<PolicyVersion> policyVersion(String digest);

    /** Every stored policy version, oldest first. */
    List<PolicyVersion> policyVersions();

    @Override
    void close();
}
