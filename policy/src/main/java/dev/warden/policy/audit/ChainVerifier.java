package dev.warden.policy.audit;

import java.lang.reflect.RecordComponent;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Walks a chain (a tenant's entries from one writer instance, {@link ChainId}) from its anchor and names the first
 * link that does not hold. A link holds when its
 * sequence number follows its predecessor's, its {@code prev_hash} is the predecessor's hash, its hash is
 * {@code SHA-256(prev_hash + body)}, and its query columns and category rows say what its body says (so that
 * dashboards cannot be skewed by editing the indexes either). After retention the chain
 * starts at an anchor, which must be attested by a retention checkpoint still in the chain.
 * <p>
 * A hash chain proves that nothing before the head changed; it cannot show that the newest entries were cut off
 * or the whole chain rewritten. Given the operator's public key, the verifier closes that with the latest
 * {@link HeadCheckpoint} of each writer instance: its signature must hold, every chain it lists must exist and
 * reach the entry it vouches for with the same hash (or have been trimmed past it by attested retention). That
 * catches deleted newest entries, deleted chains, and rewrites whose hashes were recomputed, by anyone without
 * the key. Entries newer than the latest checkpoint are protected by the next one; an attacker who also deletes
 * the newest checkpoints rolls the evidence back to an older one, so auditors keep copies of checkpoints
 * ({@code GET /admin/audit/checkpoints}, the gateway's log) and can pass one in ({@link #against}).
 */
public final class ChainVerifier {

    /** The first link that does not hold. {@code requestId} is that entry's (a checkpoint's is synthetic). */
    public record BrokenLink(String tenant, String instance, long seq, String requestId, String reason) {

        public ChainId chain() {
            return new ChainId(tenant, instance);
        }
    }

    /**
     * @param anchor  where the chain starts (seq 0 and the genesis hash when nothing was deleted)
     * @param head    the last entry checked; equal to anchor for an empty chain
     */
    public record Report(
            String tenant,
            String instance,
            long entriesChecked,
            ChainHead anchor,
            ChainHead head,
            Optional<BrokenLink> firstBroken) {

        public boolean intact() {
            return firstBroken.isEmpty();
        }

        public ChainId chain() {
            return new ChainId(tenant, instance);
        }
    }

    private final AuditStore store;
    /** Null: chains are checked link by link only, checkpoints are not consulted. */
    private final PublicKey operatorKey;
    /** Checkpoints to check against instead of the store's latest, by instance (an auditor's saved copies). */
    private final Map<String, HeadCheckpoint> given;

    private Map<String, HeadCheckpoint> checkpoints;

    /** Link by link only: cannot see truncation or recomputed chains (see the class comment). */
    public ChainVerifier(AuditStore store) {
        this(store, null, Map.of());
    }

    /** Also against the latest checkpoint of every writer instance, which must be signed by {@code operatorKey}. */
    public ChainVerifier(AuditStore store, PublicKey operatorKey) {
        this(store, operatorKey, Map.of());
    }

    private ChainVerifier(AuditStore store, PublicKey operatorKey, Map<String, HeadCheckpoint> given) {
        this.store = store;
        this.operatorKey = operatorKey;
        this.given = given;
    }

    /**
     * A verifier that checks against {@code saved} (checkpoints an auditor kept) for their instances, instead of the
     * store's latest, so that deleting the newest checkpoints from the store cannot roll the evidence back.
     */
    public ChainVerifier against(List<HeadCheckpoint> saved) {
        if (operatorKey == null) {
            throw new IllegalStateException("checking against checkpoints needs the operator's public key");
        }
        Map<String, HeadCheckpoint> byInstance = new TreeMap<>();
        saved.forEach(c -> byInstance.merge(c.instance(), c, (a, b) -> a.time().isAfter(b.time()) ? a : b));
        return new ChainVerifier(store, operatorKey, byInstance);
    }

    /** Every chain of every tenant and writer instance, ordered by tenant then instance. */
    public List<Report> verifyAll() {
        List<Report> reports = new ArrayList<>();
        for (ChainId chain : expectedChains(null)) {
            reports.add(verify(chain));
        }
        reports.addAll(unsignedCheckpoints(null));
        return reports;
    }

    /** Every chain of the tenant, one per writer instance that wrote for it; empty when it has none. */
    public List<Report> verifyTenant(String tenant) {
        List<Report> reports = new ArrayList<>();
        for (ChainId chain : expectedChains(tenant)) {
            reports.add(verify(chain));
        }
        reports.addAll(unsignedCheckpoints(tenant));
        return reports;
    }

    /** The chains in the store and those a checkpoint vouches for (a deleted chain is only in the latter). */
    private List<ChainId> expectedChains(String tenant) {
        TreeSet<ChainId> chains = new TreeSet<>(store.chains());
        for (HeadCheckpoint c : checkpoints().values()) {
            if (signed(c)) {
                c.heads().forEach(h -> chains.add(h.chain()));
            }
        }
        chains.removeIf(c -> tenant != null && !c.tenant().equals(tenant));
        return List.copyOf(chains);
    }

    /**
     * A checkpoint whose signature does not hold vouches for nothing, and is itself the finding: one report per
     * such instance (for a tenant's verification, only when the tenant has a chain of that instance).
     */
    private List<Report> unsignedCheckpoints(String tenant) {
        List<Report> reports = new ArrayList<>();
        for (HeadCheckpoint c : checkpoints().values()) {
            if (signed(c)) {
                continue;
            }
            ChainId chain = new ChainId(tenant == null ? "*" : tenant, c.instance());
            if (tenant != null && !store.chains().contains(chain)) {
                continue;
            }
            reports.add(new Report(
                    chain.tenant(),
                    chain.instance(),
                    0,
                    ChainHead.empty(chain),
                    ChainHead.empty(chain),
                    Optional.of(new BrokenLink(
                            chain.tenant(),
                            chain.instance(),
                            0,
                            "checkpoint@" + c.time(),
                            "the latest chain-head checkpoint of instance " + c.instance()
                                    + " is not signed by the operator key (key id "
                                    + (operatorKey == null ? "-" : OperatorKey.keyId(operatorKey))
                                    + "): it was forged or altered"))));
        }
        return reports;
    }

    private Map<String, HeadCheckpoint> checkpoints() {
        if (operatorKey == null) {
            return Map.of();
        }
        if (checkpoints == null) {
            Map<String, HeadCheckpoint> all = new TreeMap<>(store.latestCheckpoints());
            // A kept copy counts unless the store holds a newer checkpoint that is properly signed.
            given.forEach((instance, kept) -> all.merge(
                    instance,
                    kept,
                    (stored, copy) -> signed(stored) && stored.time().isAfter(copy.time()) ? stored : copy));
            checkpoints = all;
        }
        return checkpoints;
    }

    private boolean signed(HeadCheckpoint c) {
        return c.signedBy(operatorKey);
    }

    /**
     * All of the tenant's chains in one report, for callers that show one per tenant: the first broken chain's
     * report when one is broken; otherwise the report of its only chain, or, with several chains, the first
     * chain's report (anchor, head, instance) with {@code entriesChecked} counting the entries of all of them.
     * Use {@link #verifyTenant} to see each chain.
     */
    public Report verify(String tenant) {
        List<Report> reports = verifyTenant(tenant);
        if (reports.isEmpty()) {
            return verify(new ChainId(tenant, ChainId.LEGACY_INSTANCE));
        }
        for (Report r : reports) {
            if (!r.intact()) {
                return r;
            }
        }
        Report first = reports.get(0);
        long checked = reports.stream().mapToLong(Report::entriesChecked).sum();
        return new Report(first.tenant(), first.instance(), checked, first.anchor(), first.head(), Optional.empty());
    }

    public Report verify(ChainId chain) {
        ChainHead anchor = store.anchor(chain).orElse(ChainHead.empty(chain));
        Walk walk = new Walk(chain, anchor);
        HeadCheckpoint checkpoint = checkpoints().get(chain.instance());
        Optional<ChainHead> vouched =
                checkpoint != null && signed(checkpoint) ? checkpoint.head(chain.tenant()) : Optional.empty();
        vouched.ifPresent(v -> walk.watched = v.seq());
        store.scanChain(chain, anchor.seq(), walk::check);
        if (walk.broken == null && !walk.attested) {
            walk.fail(
                    anchor.seq(),
                    "-",
                    "the chain starts after seq " + anchor.seq()
                            + " but no retention checkpoint in it attests that anchor: entries were deleted outside retention");
        }
        if (walk.broken == null && vouched.isPresent()) {
            walk.against(vouched.get(), checkpoint.time());
        }
        return new Report(
                chain.tenant(), chain.instance(), walk.checked, anchor, walk.head, Optional.ofNullable(walk.broken));
    }

    private static final class Walk {
        private final ChainId chain;
        private final String tenant;
        private final ChainHead anchor;
        private ChainHead head;
        private long checked;
        private boolean attested;
        private BrokenLink broken;

        /** The seq a signed checkpoint vouches for (0: none) and the hash found there. */
        private long watched;

        private String watchedHash;

        Walk(ChainId chain, ChainHead anchor) {
            this.chain = chain;
            this.tenant = chain.tenant();
            this.anchor = anchor;
            this.head = anchor;
            this.attested = anchor.seq() == 0;
        }

        /** The walked chain must reach the entry the signed checkpoint vouches for, with its hash. */
        void against(ChainHead vouched, java.time.Instant at) {
            if (anchor.seq() > vouched.seq()) {
                return; // trimmed past it by retention, which a hashed retention checkpoint attested
            }
            if (head.seq() == 0 && checked == 0) {
                fail(
                        vouched.seq(),
                        "-",
                        "the chain is missing: the signed checkpoint of " + at + " vouches for "
                                + "its entries up to seq " + vouched.seq() + ": the chain was deleted");
                return;
            }
            if (head.seq() < vouched.seq()) {
                fail(
                        head.seq() + 1,
                        "-",
                        "the chain ends at seq " + head.seq() + " but the signed checkpoint of "
                                + at + " vouches for seq " + vouched.seq() + ": entries " + (head.seq() + 1) + ".."
                                + vouched.seq() + " were deleted");
                return;
            }
            String hash = anchor.seq() == vouched.seq() ? anchor.hash() : watchedHash;
            if (!vouched.hash().equals(hash)) {
                fail(
                        vouched.seq(),
                        "-",
                        "entry " + vouched.seq() + " is not the one the signed checkpoint of " + at
                                + " vouches for (hash " + vouched.hash() + "): the chain was rewritten up to there and "
                                + "its hashes recomputed");
            }
        }

        void check(StoredRow row) {
            if (broken != null) {
                return;
            }
            String requestId = row.columns().requestId();
            long expected = head.seq() + 1;
            if (row.seq() != expected) {
                fail(
                        row.seq(),
                        requestId,
                        "expected seq " + expected + " but found " + row.seq() + ": entries " + expected + ".."
                                + (row.seq() - 1) + " are missing");
                return;
            }
            if (!head.hash().equals(row.prevHash())) {
                fail(
                        row.seq(),
                        requestId,
                        "prev_hash " + row.prevHash() + " is not the hash of seq " + head.seq() + " (" + head.hash()
                                + ")");
                return;
            }
            if (!HashChain.link(row.prevHash(), row.body()).equals(row.hash())) {
                fail(row.seq(), requestId, "hash does not match SHA-256(prev_hash + body): the entry was altered");
                return;
            }
            AuditEntry entry;
            try {
                entry = CanonicalJson.parse(row.body());
            } catch (RuntimeException e) {
                fail(row.seq(), requestId, "body is not a readable audit entry: " + e.getMessage());
                return;
            }
            if (!entry.tenant().equals(tenant)) {
                fail(row.seq(), entry.requestId(), "body belongs to tenant " + entry.tenant());
                return;
            }
            List<String> differing = differing(IndexColumns.of(entry), row.columns());
            if (!differing.isEmpty()) {
                fail(
                        row.seq(),
                        entry.requestId(),
                        "column(s) " + String.join(", ", differing)
                                + " differ from the hashed body: the row was altered");
                return;
            }
            String categories = IndexColumns.of(entry).categories();
            if (row.categoryIndex() != null && !row.categoryIndex().equals(categories)) {
                fail(
                        row.seq(),
                        entry.requestId(),
                        "category index [" + row.categoryIndex() + "] differs from the " + "hashed body [" + categories
                                + "]: the category table was altered");
                return;
            }
            if (row.content() != null
                    && !(entry instanceof AuditRecord r
                            && r.contentDigest() != null
                            && r.contentDigest().equals(AuditRecord.Content.digestOf(row.content())))) {
                fail(
                        row.seq(),
                        entry.requestId(),
                        "the content kept beside the record does not match the digest in "
                                + "its hashed body: the content was altered");
                return;
            }
            if (entry instanceof RetentionCheckpoint c
                    && c.anchorSeq() == anchor.seq()
                    && c.anchorHash().equals(anchor.hash())) {
                attested = true;
            }
            head = new ChainHead(chain, row.seq(), row.hash());
            if (row.seq() == watched) {
                watchedHash = row.hash();
            }
            checked++;
        }

        private void fail(long seq, String requestId, String reason) {
            broken = new BrokenLink(tenant, chain.instance(), seq, requestId, reason);
        }

        private static List<String> differing(IndexColumns expected, IndexColumns actual) {
            List<String> names = new ArrayList<>();
            for (RecordComponent c : IndexColumns.class.getRecordComponents()) {
                try {
                    if (!Objects.equals(
                            c.getAccessor().invoke(expected), c.getAccessor().invoke(actual))) {
                        names.add(c.getName());
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return names;
        }
    }
}
