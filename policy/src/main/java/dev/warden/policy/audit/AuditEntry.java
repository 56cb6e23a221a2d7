package dev.warden.policy.audit;

import java.time.Instant;

/**
 * Something that takes a place in a tenant's hash chain: a request's {@link AuditRecord}, a
 * {@link RetentionCheckpoint} that states which older part of the chain was deleted on purpose, or an
 * {@link AdminAction} (policy change, retention run, export) in the reserved chain {@link AdminAction#CHAIN}.
 */
public sealed interface AuditEntry permits AuditRecord, RetentionCheckpoint, AdminAction {

    enum Kind {
        REQUEST,
        CHECKPOINT,
        ADMIN
    }

    String tenant();

    Instant time();

    Kind kind();

    /** The request id for requests; a synthetic id for checkpoints, so that a broken link can always be named. */
    String requestId();
}
