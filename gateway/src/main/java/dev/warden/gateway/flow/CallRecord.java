package dev.warden.gateway.flow;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.tenant.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one request did, gathered stage by stage so that every way it can end produces a complete audit record.
 * <p>
 * Not only one stage after another touches it: a stream's window checks complete on the guard's threads while
 * chunks are still being released on the engine's, a tool-call check runs beside them, and a client that goes
 * away cancels (and records) from the connection's thread while the stream may be completing (and recording) on
 * another. So every method holds the record's lock: each is a few field writes, never I/O, and a request's
 * record is contended only by its own stages. {@link #markRecorded} under the same lock makes "recorded exactly
 * once" hold whichever ending wins, and {@link #toAudit} reads a consistent snapshot.
 */
public final class CallRecord {

    private final String requestId;
    private final Principal principal;
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private String model;
    private String purpose = "chat";
    private boolean streaming;
    private String streamMode;
    private final List<ClassifierVerdict> verdicts = new ArrayList<>();
    private Decision decision;
    private String rule;
    private Usage usage;
    private long tokensReleased;
    private Duration guardInput = Duration.ZERO;
    private Duration guardOutput = Duration.ZERO;
    private long inferenceStart;
    private Duration inference = Duration.ZERO;
    private String prompt = "";
    private final StringBuilder response = new StringBuilder();
    private boolean recorded;
    private String clientRequestId;
    private dev.warden.policy.audit.AuditRecord.Batch batch;
    /** Telemetry only (see {@link CallObserver}): what the observers read besides the audit fields. */
    private String operation;

    private long firstReleaseNanos;
    private long lastReleaseNanos;
    private long limitStartNanos;
    private long limitEndNanos;
    private String traceId;
    private String traceParent;
    private final List<GuardRun> guardRuns = new ArrayList<>();

    /**
     * One guard run (a pipeline run and its decision), for the traces: when it ended and how long it took.
     * A stream makes one per window, so only the first {@link #MAX_GUARD_RUNS} are kept.
     */
    public record GuardRun(
            Direction direction, long endNanos, Duration latency, List<Verdict> verdicts, Decision decision) {}

    static final int MAX_GUARD_RUNS = 64;

    public CallRecord(String requestId, Principal principal) {
        this.requestId = requestId;
        this.principal = principal;
    }

    public String requestId() {
        return requestId;
    }

    public Principal principal() {
        return principal;
    }

    /** The client's own {@code x-request-id}, kept beside the gateway's request id; null when none was sent. */
    public synchronized CallRecord clientRequestId(String clientRequestId) {
        this.clientRequestId = clientRequestId;
        return this;
    }

    /** For a batch line: its batch id and {@code custom_id}, kept in the audit record; null otherwise. */
    public synchronized CallRecord batch(dev.warden.policy.audit.AuditRecord.Batch batch) {
        this.batch = batch;
        return this;
    }

    public synchronized String clientRequestId() {
        return clientRequestId;
    }

    public synchronized CallRecord model(String model) {
        this.model = model;
        return this;
    }

    public synchronized CallRecord purpose(String purpose) {
        this.purpose = purpose;
        return this;
    }

    public synchronized CallRecord streaming(boolean streaming, String mode) {
        this.streaming = streaming;
        this.streamMode = mode;
        return this;
    }

    public synchronized CallRecord prompt(String prompt) {
        this.prompt = prompt;
        return this;
    }

    public synchronized void guarded(Direction direction, List<Verdict> verdicts, Decision decision, Duration latency) {
        Set<String> flagged = decision.decisiveLabels();
        for (Verdict v : verdicts) {
            this.verdicts.add(ClassifierVerdict.of(
                    direction,
                    v,
                    v.scores().keySet().stream().filter(flagged::contains).toList()));
        }
        if (this.decision == null || decision.action().stricterThan(this.decision.action())) {
            this.decision = decision;
            this.rule = decision.rule();
        }
        if (guardRuns.size() < MAX_GUARD_RUNS) {
            guardRuns.add(new GuardRun(direction, System.nanoTime(), latency, List.copyOf(verdicts), decision));
        }
        if (direction == Direction.INPUT) {
            guardInput = guardInput.plus(latency);
        } else {
            guardOutput = guardOutput.plus(latency);
        }
    }

    public synchronized void ruleOnly(String rule) {
        this.rule = rule;
    }

    public synchronized void inferenceStarted() {
        inferenceStart = System.nanoTime();
    }

    public synchronized void inferenceEnded() {
        if (inferenceStart != 0) {
            inference = Duration.ofNanos(System.nanoTime() - inferenceStart);
        }
    }

    public synchronized void usage(Usage usage) {
        this.usage = usage;
    }

    public synchronized Usage usage() {
        return usage;
    }

    public synchronized void released(String text, long tokens) {
        if (tokens > 0) {
            long now = System.nanoTime();
            if (firstReleaseNanos == 0) {
                firstReleaseNanos = now;
            }
            lastReleaseNanos = now;
        }
        response.append(text);
        tokensReleased += tokens;
    }

    public synchronized void response(String text) {
        response.setLength(0);
        response.append(text);
    }

    /** The prompt as fingerprinted (and, when the tenant keeps content, stored). */
    public synchronized String promptText() {
        return prompt;
    }

    /** The client's W3C {@code traceparent}, continued by the request's trace; null when none was sent. */
    public synchronized CallRecord traceParent(String traceParent) {
        this.traceParent = traceParent;
        return this;
    }

    public synchronized String traceParent() {
        return traceParent;
    }

    public synchronized String responseText() {
        return response.toString();
    }

    /** True the first time only: a request is recorded exactly once, however it ends. */
    synchronized boolean markRecorded() {
        if (recorded) {
            return false;
        }
        recorded = true;
        return true;
    }

    synchronized AuditRecord toAudit(
            Outcome outcome,
            int httpStatus,
            boolean storeContent,
            java.util.function.UnaryOperator<String> redact,
            dev.warden.policy.audit.FingerprintKey fingerprints) {
        AuditRecord.Builder b = AuditRecord.builder(requestId, principal.tenantId())
                .time(started)
                .keyId(principal.keyId())
                .model(model)
                .purpose(purpose)
                .outcome(outcome)
                .verdicts(verdicts)
                .decision(
                        decision == null
                                ? (outcome == Outcome.ALLOWED
                                        ? "allow"
                                        : outcome.name().toLowerCase())
                                : decision.action().lowerCase(),
                        rule)
                .streaming(streaming, tokensReleased)
                .latencies(new AuditRecord.Latencies(
                        Duration.ofNanos(System.nanoTime() - startNanos), guardInput, inference, guardOutput))
                .httpStatus(httpStatus)
                .clientRequestId(clientRequestId)
                .policyVersion(principal.policyVersion())
                .traceId(traceId)
                .batch(batch)
                .fingerprint(fingerprints, prompt, response.toString());
        if (usage != null) {
            b.usage(usage.promptTokens(), usage.completionTokens());
        }
        if (storeContent) {
            b.content(redact.apply(prompt), redact.apply(response.toString()));
        }
        return b.build();
    }

    /** The GenAI operation ({@code chat}, {@code text_completion}); null for requests that generate nothing. */
    public synchronized CallRecord operation(String operation) {
        this.operation = operation;
        return this;
    }

    public synchronized String operation() {
        return operation;
    }

    public synchronized String model() {
        return model;
    }

    public synchronized boolean streaming() {
        return streaming;
    }

    /** {@link System#nanoTime()} when the request reached the flow. */
    public long startNanos() {
        return startNanos;
    }

    public Instant started() {
        return started;
    }

    /** The rate-limit stage's span, in {@link System#nanoTime()}. */
    public synchronized void limited(long startNanos, long endNanos) {
        this.limitStartNanos = startNanos;
        this.limitEndNanos = endNanos;
    }

    public synchronized long limitStartNanos() {
        return limitStartNanos;
    }

    public synchronized long limitEndNanos() {
        return limitEndNanos;
    }

    /** {@link System#nanoTime()} when inference started, 0 when it never did. */
    public synchronized long inferenceStartNanos() {
        return inferenceStart;
    }

    public synchronized Duration inference() {
        return inference;
    }

    /** When the first and the last token left for the client (streams), 0 when none did. */
    public synchronized long firstReleaseNanos() {
        return firstReleaseNanos;
    }

    public synchronized long lastReleaseNanos() {
        return lastReleaseNanos;
    }

    public synchronized long tokensReleased() {
        return tokensReleased;
    }

    public synchronized List<GuardRun> guardRuns() {
        return List.copyOf(guardRuns);
    }

    /** The strictest decision so far; null when no guard ran. */
    public synchronized Decision decision() {
        return decision;
    }

    /** The trace this request was recorded in, for the audit record; null while tracing is off. */
    public synchronized CallRecord traceId(String traceId) {
        this.traceId = traceId;
        return this;
    }

    public synchronized String traceId() {
        return traceId;
    }

    /** The strictest action decided so far, for the response header. */
    public synchronized String action() {
        return decision == null ? "allow" : decision.action().lowerCase();
    }

    public synchronized String streamMode() {
        return streamMode;
    }
}
