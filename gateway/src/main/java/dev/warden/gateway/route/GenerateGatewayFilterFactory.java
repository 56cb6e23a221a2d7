package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.OutputGuard;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.OpenAiResponses;
import dev.warden.gateway.openai.SseBody;
import dev.warden.guard.Direction;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.policy.audit.Outcome;
import java.time.Instant;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stage {@code Generate}, the last of a generation route: runs the call on the model's engine (in process, or a
 * remote OpenAI-compatible server with failover) and answers with what the output guard released, in OpenAI's
 * shape. A complete response leaves after its audit record is durable; a stream starts at once, after its opening
 * record ({@link Outcome#STREAM_STARTED}) is durable, and its ending is recorded before {@code [DONE]}. An engine
 * failure is recorded ({@link Outcome#UPSTREAM_ERROR}) and answered with the engine's status.
 * <p>
 * It answers itself rather than routing on through Spring Cloud Gateway's HTTP client: every generated token must
 * pass the output guard, and the engines (the in-process llama.cpp one included) share one interface, so a route's
 * {@code uri} is unused ({@code no://op}).
 */
@Component
public class GenerateGatewayFilterFactory extends StageFactory {

    public static final String STREAM_MODE_HEADER = "x-warden-stream-mode";

    private final AuditTrail audit;
    private final ResponseWriter writer;
    private final String outputGuards;

    public GenerateGatewayFilterFactory(AuditTrail audit, ResponseWriter writer, Guards guards) {
        this.audit = audit;
        this.writer = writer;
        this.outputGuards = String.join(",", guards.classifiers(Direction.OUTPUT));
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            OutputGuard output = state.outputGuard();
            GenerationCall call = state.call();
            CallRecord record = state.record();
            OpenAiResponses responses = new OpenAiResponses(
                    call.isChat() ? OpenAiResponses.Kind.CHAT : OpenAiResponses.Kind.TEXT,
                    (call.isChat() ? "chatcmpl-" : "cmpl-") + record.requestId(),
                    Instant.now().getEpochSecond(),
                    call.model());
            return writer.write(
                    exchange,
                    call.stream()
                            ? stream(state, call, state.model(), record, output, responses)
                            : complete(state, call, state.model(), record, output, responses));
        };
    }

    private Mono<ServerResponse> complete(
            RequestState state,
            GenerationCall call,
            ServedModel model,
            CallRecord record,
            OutputGuard output,
            OpenAiResponses responses) {
        record.inferenceStarted();
        return call.generate(model.engine())
                .onErrorResume(InferenceException.class, e -> failed(state, record, e))
                .flatMap(generation -> {
                    record.inferenceEnded();
                    record.usage(generation.usage());
                    state.settle(
                            generation.usage() == null ? 0 : generation.usage().totalTokens());
                    return output.check(call, record, generation);
                })
                .doOnNext(result -> {
                    if (result.blocking() != null) {
                        responses.contentFilter(
                                result.blocking().decisiveLabels().stream()
                                        .sorted()
                                        .toList(),
                                result.blocking().rule());
                    }
                })
                .flatMap(result -> audit.record(record, result.cut() ? Outcome.CUT_OUTPUT : Outcome.ALLOWED, 200)
                        .then(ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .header(InputGuardGatewayFilterFactory.DECISION_HEADER, record.action())
                                .header(
                                        InputBudgetGatewayFilterFactory.OUTPUT_GUARD_HEADER,
                                        String.join(",", result.judgedBy()))
                                .bodyValue(responses.completionBytes(result.generation()))));
    }

    private Mono<ServerResponse> stream(
            RequestState state,
            GenerationCall call,
            ServedModel model,
            CallRecord record,
            OutputGuard output,
            OpenAiResponses responses) {
        record.inferenceStarted();
        Flux<StreamChunk> chunks = call.streamOn(model.engine());
        Flux<byte[]> events = output.moderate(call, record, chunks, responses, state::settle);
        // The stream's opening record is durable before the first byte; its ending is the output guard's.
        return audit.started(record)
                .then(ServerResponse.ok()
                        .contentType(MediaType.TEXT_EVENT_STREAM)
                        .header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .header(STREAM_MODE_HEADER, record.streamMode())
                        // the windows are judged after the headers left: the classifiers that will judge them
                        .header(InputBudgetGatewayFilterFactory.OUTPUT_GUARD_HEADER, outputGuards)
                        .body(SseBody.inserter(events)));
    }

    private <T> Mono<T> failed(RequestState state, CallRecord record, InferenceException e) {
        record.inferenceEnded();
        state.settle(0);
        ApiException api = Errors.fromInference(e);
        record.ruleOnly("engine: " + e.kind() + ": " + e.getMessage());
        return audit.record(record, Outcome.UPSTREAM_ERROR, api.status().value())
                .then(Mono.error(api));
    }
}
