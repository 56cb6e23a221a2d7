package dev.warden.policy.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The chain's own statement that records up to {@code anchorSeq} (whose hash was {@code anchorHash}) were deleted
 * by retention. It is appended to the chain before the deletion, so the new anchor is attested by a hashed
 * entry: an anchor that no checkpoint vouches for means someone deleted records outside retention.
 */
public record RetentionCheckpoint(
        String tenant, Instant time, Duration period, Instant cutoff, long anchorSeq, String anchorHash)
        implements AuditEntry {

    public RetentionCheckpoint {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(cutoff, "cutoff");
        Objects.requireNonNull(anchorHash, "anchorHash");
        if (anchorSeq < 1) {
            throw new IllegalArgumentException("a checkpoint anchors on a deleted record, seq >= 1");
        }
    }

    @Override
    public Kind kind() {
        return Kind.CHECKPOINT;
    }

    @Override
    public String requestId() {
        return "retention:" + tenant + ":" + anchorSeq;
    }
}
