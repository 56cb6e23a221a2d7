package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.tenant.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The audit records of the Files and Batch API itself (each line has its own, written by the request path): an
 * upload with the file's SHA-256, a batch accepted or refused by the licence with the rule, a batch's output and
 * error files with theirs. Uploads and batch creation answer only once their record is durable.
 */
final class BatchAudit {

    private static final Logger log = LoggerFactory.getLogger(BatchAudit.class);

    private final AuditLog auditLog;
    private final AuditTrail trail;

    BatchAudit(AuditLog auditLog, AuditTrail trail) {
        this.auditLog = auditLog;
        this.trail = trail;
    }

    Mono<Void> uploaded(Principal principal, String requestId, StoredFile file) {
        return append(AuditRecord.builder(requestId, principal.tenantId())
                .keyId(principal.keyId())
                .purpose("batch")
                .outcome(Outcome.ALLOWED)
                .httpStatus(200)
                .decision(
                        "allow",
                        "file " + file.id() + " uploaded (" + file.bytes() + " bytes, " + file.lines() + " requests)")
                .batch(AuditRecord.Batch.file(null, file.id(), file.sha256()))
                .build());
    }

    Mono<Void> created(Principal principal, String requestId, BatchJob job, StoredFile input) {
        return append(AuditRecord.builder(requestId, principal.tenantId())
                .keyId(principal.keyId())
                .purpose(job.purpose)
                .outcome(Outcome.ALLOWED)
                .httpStatus(200)
                .decision(
                        "allow",
                        "batch " + job.id + " created: " + input.lines() + " requests to " + job.endpoint
                                + (job.derivativeModel == null ? "" : ", derivative model " + job.derivativeModel))
                .batch(AuditRecord.Batch.file(job.id, input.id(), input.sha256()))
                .build());
    }

    Mono<Void> refused(
            Principal principal, String requestId, String purpose, StoredFile input, int status, String rule) {
        return append(AuditRecord.builder(requestId, principal.tenantId())
                .keyId(principal.keyId())
                .purpose(purpose)
                .outcome(Outcome.LICENCE_DENIED)
                .httpStatus(status)
                .decision("block", rule)
                .batch(AuditRecord.Batch.file(null, input.id(), input.sha256()))
                .build());
    }

    /** A result file of a batch, when the batch ends; nobody waits for it, a failure is logged. */
    void wrote(BatchJob job, StoredFile file) {
        append(AuditRecord.builder(RequestIds.fresh(), job.tenant)
                        .keyId(job.keyId)
                        .purpose(job.purpose)
                        .outcome(Outcome.ALLOWED)
                        .httpStatus(200)
                        .decision(
                                "allow",
                                "batch " + job.id + " " + job.status.wire() + ": " + file.purpose() + " file "
                                        + file.id() + " (" + file.lines() + " lines)")
                        .batch(AuditRecord.Batch.file(job.id, file.id(), file.sha256()))
                        .build())
                .subscribe(null, e -> log.warn("audit record of {} could not be kept: {}", file.id(), e.toString()));
    }

    private Mono<Void> append(AuditRecord record) {
        if (!trail.enabled()) {
            return Mono.empty();
        }
        return Mono.fromFuture(() -> auditLog.append(record))
                .then()
                .onErrorMap(
                        e -> ApiErrors.auditUnavailable(
                                "audit_unavailable",
                                "the gateway cannot record this in its audit log right now, so it does not do it; try again later"));
    }
}
