package dev.warden.gateway.flow;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.OpenAiResponses;
import dev.warden.gateway.openai.SseBody;
import dev.warden.gateway.web.ApiKeyAuthFilter;
import dev.warden.gateway.web.RequestIds;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.Choice;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.licence.LicenceCheck;
import dev.warden.policy.licence.LicenceVerdict;
import dev.warden.policy.ratelimit.Reservation;
import dev.warden.policy.tenant.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One generation request, end to end: licence, rate limit, input guard and decision, inference, output guard and
 * decision, token accounting, audit. Every way it can end is recorded exactly once; the response leaves only after
 * its audit record is durable.
 */
public final class GenerationFlow {

    public static final String PURPOSE_HEADER = "x-warden-purpose";
    public static final String DERIVATIVE_HEADER = "x-warden-derivative-model";
    public static final String ATTRIBUTION_HEADER = "x-model-attribution";
    public static final String INPUT_GUARD_HEADER = "x-warden-guard-input";
    public static final String OUTPUT_GUARD_HEADER = "x-warden-guard-output";
    public static final String DECISION_HEADER = "x-warden-decision";
    public static final String STREAM_MODE_HEADER = "x-warden-stream-mode";

    private final ModelCatalog catalog;
    private final LicenceCheck licences;
    private final RateLimitStage limits;
    private final Guards guards;
    private final AuditTrail audit;
    private final StreamGuard streamGuard;
    private final long defaultMaxTokens;
    private final String inputGuardHeader;
    private final String outputGuardHeader;

    public GenerationFlow(ModelCatalog catalog, LicenceCheck licences, RateLimitStage limits,
                          Guards guards, AuditTrail audit, StreamGuard streamGuard, long defaultMaxTokens) {
        this.catalog = catalog;
        this.licences = licences;
        this.limits = limits;
        this.guards = guards;
        this.audit = audit;
        this.streamGuard = streamGuard;
        this.defaultMaxTokens = defaultMaxTokens;
        this.inputGuardHeader = String.join(",", guards.classifiers(Direction.INPUT));
        this.outputGuardHeader = String.join(",", guards.classifiers(Direction.OUTPUT));
    }

    public Mono<ServerResponse> run(ServerRequest request, GenerationCall call) {
        ServerWebExchange exchange = request.exchange();
        Caller caller = new Caller(ApiKeyAuthFilter.principal(exchange), RequestIds.of(exchange),
                RequestIds.clientOf(exchange), headerOr(request, PURPOSE_HEADER, "chat"),
                request.headers().firstHeader(DERIVATIVE_HEADER), null);
        return run(caller, call, exchange.getResponse().getHeaders());
    }

    /**
     * The same path for a call that did not arrive as an HTTP request of its own (a batch line): every stage runs
     * as for a live request; the headers a live response would carry are put on {@code out}. Only non-streaming
     * calls may come this way.
     */
    public Mono<ServerResponse> run(Caller caller, GenerationCall call, HttpHeaders out) {
        Principal principal = caller.principal();
        ServedModel model = catalog.require(call.model());
        audit.requireAccepting();
        String purpose = caller.purpose();
        CallRecord record = new CallRecord(caller.requestId(), principal)
                .clientRequestId(caller.clientRequestId()).model(model.name()).purpose(purpose)
                .batch(caller.batch())
                .prompt(call.promptText())
                .streaming(call.stream(), call.stream() ? StreamGuard.wire(principal.policy().streaming().mode()) : null);

        LicenceVerdict licence = licences.check(principal.tenant(), model.descriptor().licence(), purpose,
                caller.derivativeModel());
        if (licence instanceof LicenceVerdict.Denied denied) {
            record.ruleOnly(denied.message());
            HttpStatus status = HttpStatus.valueOf(denied.httpStatus());
            return audit.record(record, Outcome.LICENCE_DENIED, status.value()).then(Mono.error(new ApiException(
                    status, status.is4xxClientError() ? "permission_error" : "server_error", denied.code(), null,
                    denied.message())));
        }
        long chars = call.judgedChars();
        long maxChars = principal.policy().guard().maxInputChars();
        if (chars > maxChars) {
            // judged whole or not at all: a prompt's unjudged tail is where an attack would hide
            record.ruleOnly("tenant " + principal.tenantId() + ": input " + chars + " chars > max-input-chars "
                    + maxChars + " -> refuse");
            return audit.record(record, Outcome.BLOCKED_INPUT, 413).then(Mono.error(tooLongToJudge(call, chars,
                    maxChars)));
        }
        String attribution = ((LicenceVerdict.Allowed) licence).attribution();
        if (attribution != null && !attribution.isBlank()) {
            out.set(ATTRIBUTION_HEADER, attribution);
        }
        out.set(INPUT_GUARD_HEADER, inputGuardHeader);
        out.set(OUTPUT_GUARD_HEADER, outputGuardHeader);

        long estimate = call.estimatedPromptTokens()
                + (call.maxTokens() == null ? defaultMaxTokens : call.maxTokens()) * (long) call.choices();
        return limits.reserve(record, model.name(), estimate, out)
                .flatMap(reservation -> guarded(out, call, model, record, reservation));
    }

    private Mono<ServerResponse> guarded(HttpHeaders out, GenerationCall call, ServedModel model,
                                         CallRecord record, Reservation reservation) {
        Principal principal = record.principal();
        long started = System.nanoTime();
        return guards.check(principal, call.guardInput())
                .flatMap(checked -> {
                    Decision decision = checked.decision();
                    record.guarded(Direction.INPUT, checked.report().verdicts(), decision,
                            java.time.Duration.ofNanos(System.nanoTime() - started));
                    if (decision.blocked()) {
                        reservation.settle(0);
                        return audit.record(record, Outcome.BLOCKED_INPUT, 400).then(Mono.error(
                                ContentFilter.promptBlocked(decision, checked.report().ran())));
                    }
                    out.set(DECISION_HEADER, decision.action().lowerCase());
                    GenerationCall effective = call;
                    if (decision.action() == Action.REDACT && !decision.redactions().isEmpty()) {
                        effective = call.mapText(text -> guards.redactor().redact(text, decision.redactions()));
                    }
                    OpenAiResponses responses = new OpenAiResponses(
                            call.isChat() ? OpenAiResponses.Kind.CHAT : OpenAiResponses.Kind.TEXT,
                            (call.isChat() ? "chatcmpl-" : "cmpl-") + record.requestId(),
                            Instant.now().getEpochSecond(), call.model());
                    if (call.stream()) {
                        return stream(effective, model, record, reservation, responses);
                    }
                    return complete(effective, model, record, reservation, responses);
                })
                .doOnError(e -> reservation.release())
                .doOnCancel(reservation::release);
    }

    private Mono<ServerResponse> complete(GenerationCall call, ServedModel model, CallRecord record,
                                          Reservation reservation, OpenAiResponses responses) {
        record.inferenceStarted();
        return call.generate(model.engine())
                .onErrorResume(InferenceException.class, e -> failed(record, reservation, e))
                .flatMap(generation -> {
                    record.inferenceEnded();
                    record.usage(generation.usage());
                    reservation.settle(generation.usage() == null ? 0 : generation.usage().totalTokens());
                    return checkOutput(call, record, generation);
                })
                .doOnNext(result -> {
                    if (result.blocking != null) {
                        responses.contentFilter(result.blocking.decisiveLabels().stream().sorted().toList(),
                                result.blocking.rule());
                    }
                })
                .flatMap(result -> audit.record(record, result.cut ? Outcome.CUT_OUTPUT : Outcome.ALLOWED, 200)
                        .then(ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .header(DECISION_HEADER, record.action())
                                .bodyValue(responses.completionBytes(result.generation))))
                .doOnCancel(() -> audit.recordDetached(record, Outcome.CLIENT_ABORT, 499))
                .doFinally(s -> reservation.release());
    }

    private record Checked(Generation generation, boolean cut, Decision blocking) {
    }

    /** Each choice's text (and tool calls) as the Agent turn; a choice that fails is withheld, not sent. */
    private Mono<Checked> checkOutput(GenerationCall call, CallRecord record, Generation generation) {
        long started = System.nanoTime();
        return Flux.fromIterable(generation.choices())
                .concatMap(choice -> guards.check(record.principal(),
                                GuardInput.response(call.conversation(), agentTurn(choice)))
                        .map(checked -> Map.entry(choice, checked)))
                .collectList()
                .map(results -> {
                    List<Choice> choices = new ArrayList<>();
                    boolean cut = false;
                    Decision blocking = null;
                    StringBuilder released = new StringBuilder();
                    for (var r : results) {
                        Decision decision = r.getValue().decision();
                        record.guarded(Direction.OUTPUT, r.getValue().report().verdicts(), decision,
                                java.time.Duration.ofNanos(System.nanoTime() - started));
                        Choice choice = r.getKey();
                        if (decision.blocked()) {
                            cut = true;
                            blocking = decision;
                            choices.add(new Choice(choice.index(), "", List.of(), FinishReason.CONTENT_FILTER,
                                    null));
                        } else if (decision.action() == Action.REDACT) {
                            String text = guards.redactor().redact(choice.text(), decision.redactions());
                            choices.add(new Choice(choice.index(), text, choice.toolCalls(), choice.finishReason(),
                                    choice.logprobs()));
                            released.append(text);
                        } else {
                            choices.add(choice);
                            released.append(agentTurn(choice));
                        }
                    }
                    record.response(released.toString());
                    return new Checked(new Generation(generation.model(), choices, generation.usage()), cut,
                            blocking);
                });
    }

    static String agentTurn(Choice choice) {
        return agentTurn(choice.text(), choice.toolCalls());
    }

    /** What the output guard judges as the Agent turn: the text, then each tool call as {@code name(arguments)}. */
    static String agentTurn(String content, List<ToolCall> toolCalls) {
        if (toolCalls.isEmpty()) {
            return content;
        }
        StringBuilder text = new StringBuilder(content);
        for (ToolCall call : toolCalls) {
            text.append(text.isEmpty() ? "" : "\n").append(call.name()).append('(').append(call.argumentsJson())
                    .append(')');
        }
        return text.toString();
    }

    private Mono<ServerResponse> stream(GenerationCall call, ServedModel model,
                                        CallRecord record, Reservation reservation, OpenAiResponses responses) {
        record.inferenceStarted();
        Flux<StreamChunk> chunks = call.streamOn(model.engine());
        Flux<byte[]> events = streamGuard.moderate(call, record, chunks, responses, reservation)
                .doFinally(s -> reservation.release());
        // Audit hook: the stream's opening record is durable before the first byte; its ending is StreamGuard's.
        return audit.started(record).then(ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .header(STREAM_MODE_HEADER, record.streamMode())
                .body(SseBody.inserter(events)))
                // A client gone while the opening record was being written: end the request here, not at restart.
                .doOnCancel(() -> audit.recordDetached(record, Outcome.CLIENT_ABORT, 499));
    }

    private <T> Mono<T> failed(CallRecord record, Reservation reservation, InferenceException e) {
        record.inferenceEnded();
        reservation.settle(0);
        ApiException api = Errors.fromInference(e);
        record.ruleOnly("engine: " + e.kind() + ": " + e.getMessage());
        return audit.record(record, Outcome.UPSTREAM_ERROR, api.status().value()).then(Mono.error(api));
    }

    private static ApiException tooLongToJudge(GenerationCall call, long chars, long maxChars) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "input_too_long_to_judge",
                call.isChat() ? "messages" : "prompt", "The request holds " + chars + " characters of text; this gateway judges at most "
                + maxChars + " per request for this tenant, and does not send on text it has not judged. "
                + "Shorten the prompt or split it across requests.");
    }

    private static String headerOr(ServerRequest request, String name, String fallback) {
        String v = request.headers().firstHeader(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
