package dev.warden.gateway.batch;

import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.Outcome;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/**
 * What the audit records of the Files and Batch API say (each line has its own, written by the request path): an
 * upload with the file's SHA-256, a batch accepted or refused by the licence with the rule, a batch's output and
 * error files with theirs. The first three are the request's own record ({@link CallRecord}, opened by the
 * route's {@code ReadListing=batch}), so each call leaves exactly one; they answer only once it is durable. Every
 * other call of the API is recorded by {@link BatchApiGatewayFilterFactory}. What the {@link RetentionSweeper}
 * deletes is recorded too, before it goes, so that auditors see why a file or batch is no longer there.
 */
final class BatchAudit {

    private final AuditTrail trail;

    BatchAudit(AuditTrail trail) {
        this.trail = trail;
    }

    Mono<Void> uploaded(CallRecord call, StoredFile file) {
        call.batch(AuditRecord.Batch.file(null, file.id(), file.sha256()));
        call.ruleOnly("file " + file.id() + " uploaded (" + file.bytes() + " bytes, " + file.lines() + " requests)");
        return trail.record(call, Outcome.ALLOWED, 200);
    }

    Mono<Void> created(CallRecord call, BatchJob job, StoredFile input) {
        call.purpose(job.purpose).batch(AuditRecord.Batch.file(job.id, input.id(), input.sha256()));
        call.ruleOnly("batch " + job.id + " created: " + input.lines() + " requests to " + job.endpoint
                + (job.derivativeModel == null ? "" : ", derivative model " + job.derivativeModel));
        return trail.record(call, Outcome.ALLOWED, 200);
    }

    Mono<Void> refused(CallRecord call, String purpose, StoredFile input, int status, String rule) {
        call.purpose(purpose).batch(AuditRecord.Batch.file(null, input.id(), input.sha256()));
        call.ruleOnly(rule);
        return trail.record(call, Outcome.LICENCE_DENIED, status);
    }

    /** A result file of a batch, when the batch ends; nobody waits for it, a failure is counted and logged. */
    void wrote(BatchJob job, StoredFile file) {
        trail.appendDetached(AuditRecord.builder(RequestIds.fresh(), job.tenant)
                .keyId(job.keyId)
                .purpose(job.purpose)
                .outcome(Outcome.ALLOWED)
                .httpStatus(200)
                .decision(
                        "allow",
                        "batch " + job.id + " " + job.status.wire() + ": " + file.purpose() + " file " + file.id()
                                + " (" + file.lines() + " lines)")
                .batch(AuditRecord.Batch.file(job.id, file.id(), file.sha256()))
                .build());
    }

    /** A file past its expiry, about to be deleted; completes when the record is durable. */
    CompletableFuture<Void> expired(StoredFile file) {
        return trail.append(retention(file.tenant())
                .decision(
                        "delete",
                        "retention: " + file.purpose() + " file " + file.id() + " expired at "
                                + Instant.ofEpochSecond(file.expiresAt().orElseThrow()) + " and is deleted ("
                                + file.lines()
                                + " lines)")
                .batch(AuditRecord.Batch.file(null, file.id(), file.sha256()))
                .build());
    }

    /** A finished batch's record, kept its time after the batch ended, about to be deleted. */
    CompletableFuture<Void> forgotten(BatchJob job, long endedAt) {
        return trail.append(retention(job.tenant)
                .keyId(job.keyId)
                .decision(
                        "delete",
                        "retention: batch " + job.id + " (" + job.status().wire() + " at "
                                + Instant.ofEpochSecond(endedAt) + ") is deleted")
                .batch(AuditRecord.Batch.file(job.id, null, null))
                .build());
    }

    /** Not a call: nobody asked, the gateway's retention did it; the purpose says which API's data it was. */
    private static AuditRecord.Builder retention(String tenant) {
        return AuditRecord.builder(RequestIds.fresh(), tenant)
                .purpose("batch")
                .outcome(Outcome.ALLOWED)
                .httpStatus(200);
    }
}
