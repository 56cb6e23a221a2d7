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

    FlakyStore(AuditStore real) {
        this.real = real;
    }

    private void check() {
        if (down) {
            throw new AuditStoreException("injected outage", null);
        }
    }

    @Override public void append(List<ChainedEntry> entries) { check(); real.append(entries); }
    @Override public Map<String, ChainHead> heads() { check(); return real.heads(); }
    @Override public Optional<ChainHead> anchor(String tenant) { check(); return real.anchor(tenant); }
    @Override public List<String> tenants() { check(); return real.tenants(); }
    @Override public void scanChain(String t, long after, Consumer<StoredRow> sink) { check(); real.scanChain(t, after, sink); }
    @Override public AuditPage query(AuditQuery query) { check(); return real.query(query); }
    @Override public List<BucketCount> count(AuditQuery f, TimeBucket b, CountKey k) { check(); return real.count(f, b, k); }
    @Override public Optional<ChainHead> lastBefore(String t, Instant cutoff) { check(); return real.lastBefore(t, cutoff); }
    @Override public long deleteThrough(ChainHead anchor) { check(); return real.deleteThrough(anchor); }
    @Override public void close() { real.close(); }
}
