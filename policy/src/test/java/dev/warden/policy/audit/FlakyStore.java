package dev.warden.policy.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Fault injection: a real store whose writes and reads fail while {@link #down} is set. */
final class FlakyStore implements AuditStore {

    private final AuditStore real;
    volatile boolean down;
    /** Completed with the next checkpoint the store takes, so a test can wait for one without polling. */
    volatile java.util.concurrent.CompletableFuture<HeadCheckpoint> nextCheckpoint =
            new java.util.concurrent.CompletableFuture<>();

    FlakyStore(AuditStore real) {
        this.real = real;
    }

    private void check() {
        if (down) {
            throw new AuditStoreException("injected outage", null);
        }
    }

    @Override
    public void append(List<ChainedEntry> entries) {
        check();
        real.append(entries);
    }

    @Override
    public Map<String, ChainHead> heads(String instance) {
        check();
        return real.heads(instance);
    }

    @Override
    public Optional<ChainHead> anchor(ChainId chain) {
        check();
        return real.anchor(chain);
    }

    @Override
    public List<String> tenants() {
        check();
        return real.tenants();
    }

    @Override
    public List<ChainId> chains() {
        check();
        return real.chains();
    }

    @Override
    public void scanChain(ChainId c, long after, Consumer<StoredRow> sink) {
        check();
        real.scanChain(c, after, sink);
    }

    @Override
    public AuditPage query(AuditQuery query) {
        check();
        return real.query(query);
    }

    @Override
    public List<BucketCount> count(AuditQuery f, TimeBucket b, CountKey k) {
        check();
        return real.count(f, b, k);
    }

    @Override
    public Optional<ChainHead> lastBefore(ChainId c, Instant cutoff) {
        check();
        return real.lastBefore(c, cutoff);
    }

    @Override
    public long deleteThrough(ChainHead anchor) {
        check();
        return real.deleteThrough(anchor);
    }

    @Override
    public List<ChainedEntry> unfinishedStreams(String instance) {
        check();
        return real.unfinishedStreams(instance);
    }

    @Override
    public void appendCheckpoint(HeadCheckpoint c) {
        check();
        real.appendCheckpoint(c);
        nextCheckpoint.complete(c);
    }

    @Override
    public Map<String, HeadCheckpoint> latestCheckpoints() {
        check();
        return real.latestCheckpoints();
    }

    @Override
    public long eraseContent(ChainId c, java.time.Instant b) {
        check();
        return real.eraseContent(c, b);
    }

    @Override
    public void savePolicyVersion(PolicyVersion v) {
        check();
        real.savePolicyVersion(v);
    }

    @Override
    public java.util.Optional<PolicyVersion> policyVersion(String d) {
        check();
        return real.policyVersion(d);
    }

    @Override
    public java.util.List<PolicyVersion> policyVersions() {
        check();
        return real.policyVersions();
    }

    @Override
    public void close() {
        real.close();
    }
}
