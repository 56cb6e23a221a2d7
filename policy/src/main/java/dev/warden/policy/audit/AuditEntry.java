package dev.warden.policy.audit;

import java.time.Instant;

/**
 * Something that takes a place in a tenant's hash chain: a request's {@link AuditRecord}, or a
 * {@link RetentionCheckpoint} that states which older part of the chain was deleted on purpose.
 */
public sealed interface AuditEntry permits AuditRecord, RetentionCheckpoint {

    enum Kind {
        REQUEST, CHECKPOINT
    }

    String tenant();

    Instant time();

    Kind kind();

    /** The request id for requests; a synthetic id for checkpoints, so that a broken link can always be named. */
    String requestId();
}
