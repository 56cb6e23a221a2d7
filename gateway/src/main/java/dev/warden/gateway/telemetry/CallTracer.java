package dev.warden.gateway.telemetry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.gateway.flow.CallObserver;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One trace per request, written as it ends from what its stages recorded: a root span
 * {@code {gen_ai.operation.name} {gen_ai.request.model}} with the GenAI attributes, a child per stage (rate limit,
 * each guard run, inference), and under each guard run one {@code apply_guardrail {classifier}} span per classifier
 * with {@code gen_ai.security.decision.type}, {@code gen_ai.security.target.type} ({@code llm_input},
 * {@code llm_output}), the policy version and the content's keyed fingerprint (the audit record's), never the
 * content. Built afterwards, with the stages' own timestamps, so the request path carries no tracing code; the
 * trace id goes on the audit record (a stream's root span starts when the stream opens, so that its opening record
 * carries the trace id too). A client's {@code traceparent} is continued.
 */
public final class CallTracer implements CallObserver {

    static final String TARGET_TYPE = "gen_ai.security.target.type";
    static final String DECISION_TYPE = "gen_ai.security.decision.type";

    private final Tracer tracer;
    private final Propagator propagator;
    private final FingerprintKey fingerprints;
    private final Cache<CallRecord, Span> openStreams =
            Caffeine.newBuilder().weakKeys().build();

    public CallTracer(Tracer tracer, Propagator propagator, FingerprintKey fingerprints) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.fingerprints = fingerprints;
    }

    /**
     * A stream's root span starts when it opens, so that its opening audit record names the trace; the rest of the
     * trace is still built when it ends. Weak keys: a call that never ends leaves nothing behind.
     */
    @Override
    public void streamOpening(CallRecord call) {
        Span root = startRoot(call, new Clock());
        openStreams.put(call, root);
        call.traceId(root.context().traceId());
    }

    @Override
    public void ended(CallRecord call, Outcome outcome, int httpStatus) {
        Clock clock = new Clock();
        String operation = call.operation() != null ? call.operation() : "guard";
        String model = call.model() == null ? "none" : call.model();
        // the version the audit record names: the tenants and licence files the decision was made under
        String policyVersion =
                java.util.Objects.requireNonNullElse(call.principal().policyVersion(), "none");
        Span opened = openStreams.asMap().remove(call);
        Span root = opened != null ? opened : startRoot(call, clock);
        root.name(operation + " " + model)
                .tag("gen_ai.operation.name", operation)
                .tag("gen_ai.request.model", model)
                .tag("warden.tenant", call.principal().tenantId())
                .tag("warden.request_id", call.requestId())
                .tag("warden.outcome", outcome.name().toLowerCase())
                .tag("warden.decision", call.action())
                .tag("warden.policy.version", policyVersion)
                .tag("http.response.status_code", httpStatus);
        if (call.clientRequestId() != null) {
            root.tag("warden.client_request_id", call.clientRequestId());
        }
        Usage usage = call.usage();
        if (usage != null) {
            root.tag("gen_ai.usage.input_tokens", usage.promptTokens())
                    .tag("gen_ai.usage.output_tokens", usage.completionTokens());
        }
        if (call.limitStartNanos() != 0) {
            child(root, "rate_limit", clock, call.limitStartNanos(), call.limitEndNanos())
                    .end(clock.micros(call.limitEndNanos()), TimeUnit.MICROSECONDS);
        }
        String promptFingerprint = null;
        String responseFingerprint = null;
        for (CallRecord.GuardRun run : call.guardRuns()) {
            boolean input = run.direction() == Direction.INPUT;
            String target = input ? "llm_input" : "llm_output";
            String fingerprint;
            if (input) {
                fingerprint = promptFingerprint != null
                        ? promptFingerprint
                        : (promptFingerprint = fingerprints.of(call.promptText()));
            } else {
                fingerprint = responseFingerprint != null
                        ? responseFingerprint
                        : (responseFingerprint = fingerprints.of(call.responseText()));
            }
            long end = run.endNanos();
            long start = end - run.latency().toNanos();
            Span guard = child(root, "guard " + (input ? "input" : "output"), clock, start, end);
            guard.tag(TARGET_TYPE, target)
                    .tag("warden.guard.action", run.decision().action().lowerCase())
                    .tag(DECISION_TYPE, decisionType(run.decision().action()));
            for (Verdict verdict : run.verdicts()) {
                long verdictEnd = Math.min(end, start + verdict.latency().toNanos());
                Span classifier = child(guard, "apply_guardrail " + verdict.classifier(), clock, start, verdictEnd);
                classifier
                        .tag("gen_ai.guardrail.name", verdict.classifier())
                        .tag("gen_ai.guardrail.version", verdict.version())
                        .tag(TARGET_TYPE, target)
                        .tag(DECISION_TYPE, decisionType(verdict, run.decision()))
                        .tag("gen_ai.security.policy.version", policyVersion)
                        .tag("gen_ai.security.content.hash", fingerprint)
                        .tag("gen_ai.security.content.hash.algorithm", FingerprintKey.ALGORITHM)
                        .tag("warden.guard.status", verdict.status().name().toLowerCase());
                if (!verdict.ok()) {
                    classifier.tag("error.type", verdict.status().name().toLowerCase());
                }
                classifier.end(clock.micros(verdictEnd), TimeUnit.MICROSECONDS);
            }
            guard.end(clock.micros(end), TimeUnit.MICROSECONDS);
        }
        if (call.inferenceStartNanos() != 0) {
            long end = call.inferenceStartNanos() + call.inference().toNanos();
            Span inference = tracer.spanBuilder()
                    .setParent(root.context())
                    .name("inference " + model)
                    .kind(Span.Kind.CLIENT)
                    .startTimestamp(clock.micros(call.inferenceStartNanos()), TimeUnit.MICROSECONDS)
                    .tag("gen_ai.operation.name", operation)
                    .tag("gen_ai.request.model", model)
                    .start();
            if (usage != null) {
                inference
                        .tag("gen_ai.usage.input_tokens", usage.promptTokens())
                        .tag("gen_ai.usage.output_tokens", usage.completionTokens());
            }
            inference.end(clock.micros(end), TimeUnit.MICROSECONDS);
        }
        root.end(clock.micros(clock.nanoNow), TimeUnit.MICROSECONDS);
        call.traceId(root.context().traceId());
    }

    /** The request's root span, from its start; a client's {@code traceparent} is continued. Named when it ends. */
    private Span startRoot(CallRecord call, Clock clock) {
        Span.Builder builder = call.traceParent() == null
                ? tracer.spanBuilder()
                : propagator.extract(
                        call.traceParent(), (traceParent, key) -> key.equals("traceparent") ? traceParent : null);
        return builder.name("request")
                .kind(Span.Kind.SERVER)
                .startTimestamp(clock.micros(call.startNanos()), TimeUnit.MICROSECONDS)
                .start();
    }

    private Span child(Span parent, String name, Clock clock, long startNanos, long endNanos) {
        return tracer.spanBuilder()
                .setParent(parent.context())
                .name(name)
                .startTimestamp(clock.micros(startNanos), TimeUnit.MICROSECONDS)
                .start();
    }

    /** What one classifier's verdict did to the content: the action of the rules it fired, or fail-closed. */
    static String decisionType(Verdict verdict, Decision decision) {
        Action strictest = Action.ALLOW;
        for (Decision.Trigger trigger : decision.triggers()) {
            if (trigger.classifier().equals(verdict.classifier())
                    && trigger.action().stricterThan(strictest)) {
                strictest = trigger.action();
            }
        }
        if (!verdict.ok()
                && decision.blocked()
                && decision.bypassed().stream().noneMatch(b -> b.classifier().equals(verdict.classifier()))) {
            // no verdict, and the tenant fails closed: the missing verdict is what refused the content
            strictest = Action.BLOCK;
        }
        return decisionType(strictest);
    }

    static String decisionType(Action action) {
        return switch (action) {
            case ALLOW -> "allow";
            case FLAG -> "warn";
            case REDACT -> "modify";
            case BLOCK -> "deny";
        };
    }

    /** Maps the stages' {@link System#nanoTime()} readings to wall-clock time, once per trace. */
    private static final class Clock {
        final long nanoNow = System.nanoTime();
        final Instant wallNow = Instant.now();
        final long wallMicros = wallNow.getEpochSecond() * 1_000_000 + wallNow.getNano() / 1_000;

        long micros(long nanos) {
            return wallMicros - (nanoNow - nanos) / 1_000;
        }
    }
}
