package dev.warden.policy.audit;

import java.util.List;
import java.util.Optional;

/**
 * One page of query results, newest first. {@code nextCursor} is opaque; pass it back in
 * {@link AuditQuery.Builder#cursor(String)} for the next page; empty on the last page.
 */
public record AuditPage(List<ChainedEntry> entries, Optional<String> nextCursor) {

    public AuditPage {
        entries = List.copyOf(entries);
    }

    public List<AuditRecord> records() {
        return entries.stream().map(e -> (AuditRecord) e.entry()).toList();
    }
}
