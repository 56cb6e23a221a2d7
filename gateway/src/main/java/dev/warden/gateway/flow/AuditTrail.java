package dev.warden.gateway.flow;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.guard.rules.Redactor;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.audit.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Appends each request's audit record, once, and only lets the response go out after the record is durable:
 * a client that has its answer can rely on the record surviving a crash.
 */
public final class AuditTrail {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    private final AuditLog auditLog;
    private final Redactor redactor;
    private final FingerprintKey fingerprints;
    private final boolean enabled;
    /** {@code warden_audit_records_total} by outcome, registered once rather than looked up per request. */
    private final java.util.Map<Outcome, io.micrometer.core.instrument.Counter> records =
            new java.util.EnumMap<>(Outcome.class);

    private final io.micrometer.core.instrument.Counter failures;
    private final CallObserver observer;

    public AuditTrail(
            AuditLog auditLog, Redactor redactor, FingerprintKey fingerprints, MeterRegistry metrics, boolean enabled) {
        this(auditLog, redactor, fingerprints, metrics, enabled, (call, outcome, httpStatus) -> {});
    }

    /** @param observer sees every request as it ends, before its record is built (metrics, traces) */
    public AuditTrail(
            AuditLog auditLog,
            Redactor redactor,
            FingerprintKey fingerprints,
            MeterRegistry metrics,
            boolean enabled,
            CallObserver observer) {
        this.observer = observer;
        this.auditLog = auditLog;
        this.fingerprints = fingerprints;
        this.enabled = enabled;
        this.redactor = redactor;
        for (Outcome outcome : Outcome.values()) {
            records.put(
                    outcome,
                    metrics.counter(
                            "warden.audit.records", "outcome", outcome.name().toLowerCase()));
        }
        this.failures = metrics.counter("warden.audit.failures");
    }

    public boolean enabled() {
        return enabled;
    }

    /** New requests are refused (503) while neither the store nor the spill file can take records. */
    public void requireAccepting() {
        if (!auditLog.accepting()) {
            throw unavailable();
        }
    }

    /** Completes when the record is durable; fails with 503 when it cannot be kept. */
    public Mono<Void> record(CallRecord call, Outcome outcome, int httpStatus) {
        if (!call.markRecorded()) {
            return Mono.empty();
        }
        // every ending once, audited or not: metrics and traces do not depend on the audit log being on
        observer.ended(call, outcome, httpStatus);
        if (!enabled) {
            return Mono.empty();
        }
        AuditRecord record = call.toAudit(
                outcome, httpStatus, call.principal().policy().audit().storeContent(), redactor::redact, fingerprints);
        records.get(outcome).increment();
        return Mono.fromFuture(() -> auditLog.append(record)).onErrorMap(e -> {
            failures.increment();
            log.error("audit record of request {} could not be kept: {}", call.requestId(), e.toString());
            return unavailable();
        });
    }

    /**
     * A stream's opening record ({@link Outcome#STREAM_STARTED}), durable before its first byte leaves: if the
     * process dies mid-stream, the next start finds it unended and records the stream as interrupted. Carries the
     * prompt's fingerprint, never content (the ending record holds that, for tenants that keep it). The request's
     * one ending is still recorded by {@link #record}.
     */
    public Mono<Void> started(CallRecord call) {
        if (!enabled) {
            return Mono.empty();
        }
        AuditRecord record = call.toAudit(Outcome.STREAM_STARTED, 200, false, redactor::redact, fingerprints);
        return Mono.fromFuture(() -> auditLog.append(record))
                .onErrorMap(e -> {
                    failures.increment();
                    log.error("opening record of stream {} could not be kept: {}", call.requestId(), e.toString());
                    return unavailable();
                })
                // The future completes on the audit writer thread; the whole stream is subscribed from what
                // follows, which must not hold up every other request's record.
                .publishOn(reactor.core.scheduler.Schedulers.parallel());
    }

    /** For endings nobody waits for (a client that went away): recorded all the same, failures logged. */
    public void recordDetached(CallRecord call, Outcome outcome, int httpStatus) {
        record(call, outcome, httpStatus).subscribe(null, e -> {});
    }

    /**
     * Appends a record built elsewhere without waiting for it, for refusals where nothing was served; a record
     * that cannot be kept is counted and logged.
     */
    public void appendDetached(AuditRecord record) {
        if (!enabled) {
            return;
        }
        records.get(record.outcome()).increment();
        auditLog.append(record).whenComplete((ok, e) -> {
            if (e != null) {
                failures.increment();
                log.warn(
                        "audit record of refused request {} ({}) could not be kept: {}",
                        record.requestId(),
                        record.rule(),
                        e.toString());
            }
        });
    }

    private static ApiException unavailable() {
        return ApiErrors.auditUnavailable(
                "audit_unavailable",
                "the gateway cannot record requests in its audit log right now, so it does not serve them; "
                        + "try again later");
    }
}
