package dev.warden.gateway.flow;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.tenant.Principal;
import dev.warden.inference.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one request did, gathered stage by stage so that every way it can end produces a complete audit record.
 * Stages of one request run one after another, never concurrently, so plain fields suffice.
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
    public CallRecord clientRequestId(String clientRequestId) {
        this.clientRequestId = clientRequestId;
        return this;
    }

    /** For a batch line: its batch id and {@code custom_id}, kept in the audit record; null otherwise. */
    public CallRecord batch(dev.warden.policy.audit.AuditRecord.Batch batch) {
        this.batch = batch;
        return this;
    }

    public CallRecord model(String model) {
        this.model = model;
        return this;
    }

    public CallRecord purpose(String purpose) {
        this.purpose = purpose;
        return this;
    }

    public CallRecord streaming(boolean streaming, String mode) {
        this.streaming = streaming;
        this.streamMode = mode;
        return this;
    }

    public CallRecord prompt(String prompt) {
        this.prompt = prompt;
        return this;
    }

    public void guarded(Direction direction, List<Verdict> verdicts, Decision decision, Duration latency) {
        Set<String> flagged = decision.decisiveLabels();
        for (Verdict v : verdicts) {
            this.verdicts.add(ClassifierVerdict.of(direction, v, v.scores().keySet().stream()
                    .filter(flagged::contains).toList()));
        }
        if (this.decision == null || decision.action().stricterThan(this.decision.action())) {
            this.decision = decision;
            this.rule = decision.rule();
        }
        if (direction == Direction.INPUT) {
            guardInput = guardInput.plus(latency);
        } else {
            guardOutput = guardOutput.plus(latency);
        }
    }

    public void ruleOnly(String rule) {
        this.rule = rule;
    }

    public void inferenceStarted() {
        inferenceStart = System.nanoTime();
    }

    public void inferenceEnded() {
        if (inferenceStart != 0) {
            inference = Duration.ofNanos(System.nanoTime() - inferenceStart);
        }
    }

    public void usage(Usage usage) {
        this.usage = usage;
    }

    public Usage usage() {
        return usage;
    }

    public void released(String text, long tokens) {
        response.append(text);
        tokensReleased += tokens;
    }

    public void response(String text) {
        response.setLength(0);
        response.append(text);
    }

    public String responseText() {
        return response.toString();
    }

    /** True the first time only: a request is recorded exactly once, however it ends. */
    boolean markRecorded() {
        if (recorded) {
            return false;
        }
        recorded = true;
        return true;
    }

    AuditRecord toAudit(Outcome outcome, int httpStatus, boolean storeContent,
                        java.util.function.UnaryOperator<String> redact,
                        dev.warden.policy.audit.FingerprintKey fingerprints) {
        AuditRecord.Builder b = AuditRecord.builder(requestId, principal.tenantId())
                .time(started)
                .keyId(principal.keyId())
                .model(model)
                .purpose(purpose)
                .outcome(outcome)
                .verdicts(verdicts)
                .decision(decision == null ? (outcome == Outcome.ALLOWED ? "allow" : outcome.name().toLowerCase())
                        : decision.action().lowerCase(), rule)
                .streaming(streaming, tokensReleased)
                .latencies(new AuditRecord.Latencies(Duration.ofNanos(System.nanoTime() - startNanos), guardInput,
                        inference, guardOutput))
                .httpStatus(httpStatus)
                .clientRequestId(clientRequestId)
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

    /** The strictest action decided so far, for the response header. */
    public String action() {
        return decision == null ? "allow" : decision.action().lowerCase();
    }

    public String streamMode() {
        return streamMode;
    }
}
