package dev.warden.policy.audit;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Walks a chain (a tenant's entries from one writer instance, {@link ChainId}) from its anchor and names the first
 * link that does not hold. A link holds when its
 * sequence number follows its predecessor's, its {@code prev_hash} is the predecessor's hash, its hash is
 * {@code SHA-256(prev_hash + body)}, and its query columns and category rows say what its body says (so that
 * dashboards cannot be skewed by editing the indexes either). After retention the chain
 * starts at an anchor, which must be attested by a retention checkpoint still in the chain.
 * <p>
 * A hash chain proves that nothing before the head changed; it cannot show that the newest entries were cut off
 * or the whole chain rewritten. Publish {@link Report#head()} elsewhere (a ticket, a second system) to close that.
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
    public record Report(String tenant, String instance, long entriesChecked, ChainHead anchor, ChainHead head,
                         Optional<BrokenLink> firstBroken) {

        public boolean intact() {
            return firstBroken.isEmpty();
        }

        public ChainId chain() {
            return new ChainId(tenant, instance);
        }
    }

    private final AuditStore store;

    public ChainVerifier(AuditStore store) {
        this.store = store;
    }

    /** Every chain of every tenant and writer instance, ordered by tenant then instance. */
    public List<Report> verifyAll() {
        List<Report> reports = new ArrayList<>();
        for (ChainId chain : store.chains()) {
            reports.add(verify(chain));
        }
        return reports;
    }

    /** Every chain of the tenant, one per writer instance that wrote for it; empty when it has none. */
    public List<Report> verifyTenant(String tenant) {
        List<Report> reports = new ArrayList<>();
        for (ChainId chain : store.chains()) {
            if (chain.tenant().equals(tenant)) {
                reports.add(verify(chain));
            }
        }
        return reports;
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
        store.scanChain(chain, anchor.seq(), walk::check);
        if (walk.broken == null && !walk.attested) {
            walk.fail(anchor.seq(), "-", "the chain starts after seq " + anchor.seq()
                    + " but no retention checkpoint in it attests that anchor: entries were deleted outside retention");
        }
        return new Report(chain.tenant(), chain.instance(), walk.checked, anchor, walk.head,
                Optional.ofNullable(walk.broken));
    }

    private static final class Walk {
        private final ChainId chain;
        private final String tenant;
        private final ChainHead anchor;
        private ChainHead head;
        private long checked;
        private boolean attested;
        private BrokenLink broken;

        Walk(ChainId chain, ChainHead anchor) {
            this.chain = chain;
            this.tenant = chain.tenant();
            this.anchor = anchor;
            this.head = anchor;
            this.attested = anchor.seq() == 0;
        }

        void check(StoredRow row) {
            if (broken != null) {
                return;
            }
            String requestId = row.columns().requestId();
            long expected = head.seq() + 1;
            if (row.seq() != expected) {
                fail(row.seq(), requestId, "expected seq " + expected + " but found " + row.seq()
                        + ": entries " + expected + ".." + (row.seq() - 1) + " are missing");
                return;
            }
            if (!head.hash().equals(row.prevHash())) {
                fail(row.seq(), requestId, "prev_hash " + row.prevHash() + " is not the hash of seq " + head.seq()
                        + " (" + head.hash() + ")");
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
                fail(row.seq(), entry.requestId(), "column(s) " + String.join(", ", differing)
                        + " differ from the hashed body: the row was altered");
                return;
            }
            String categories = IndexColumns.of(entry).categories();
            if (row.categoryIndex() != null && !row.categoryIndex().equals(categories)) {
                fail(row.seq(), entry.requestId(), "category index [" + row.categoryIndex() + "] differs from the "
                        + "hashed body [" + categories + "]: the category table was altered");
                return;
            }
            if (entry instanceof RetentionCheckpoint c && c.anchorSeq() == anchor.seq()
                    && c.anchorHash().equals(anchor.hash())) {
                attested = true;
            }
            head = new ChainHead(chain, row.seq(), row.hash());
            checked++;
        }

        private void fail(long seq, String requestId, String reason) {
            broken = new BrokenLink(tenant, chain.instance(), seq, requestId, reason);
        }

        private static List<String> differing(IndexColumns expected, IndexColumns actual) {
            List<String> names = new ArrayList<>();
            for (RecordComponent c : IndexColumns.class.getRecordComponents()) {
                try {
                    if (!Objects.equals(c.getAccessor().invoke(expected), c.getAccessor().invoke(actual))) {
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
