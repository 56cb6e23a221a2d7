package dev.warden.gateway.embeddings;

import static dev.warden.gateway.embeddings.ReadEmbeddingsGatewayFilterFactory.JSON;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.ContentFilter;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.route.InputGuardGatewayFilterFactory;
import dev.warden.gateway.route.ResponseWriter;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.InferenceException;
import dev.warden.inference.Role;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.tenant.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stage {@code Embed}, the last of the embeddings route: each input is judged like a prompt (content rules, the
 * attack and hazard classifiers, the tenant's policy); a block refuses the request as a blocked prompt is refused,
 * a redaction embeds the redacted text. Then the model's server embeds the texts, the tokens it reports are
 * settled against the tenant's limits and the call is recorded before the answer leaves.
 */
@Component
public class EmbedGatewayFilterFactory extends AbstractGatewayFilterFactory<EmbedGatewayFilterFactory.Config> {

    private final Guards guards;
    private final AuditTrail audit;
    private final ResponseWriter writer;

    public EmbedGatewayFilterFactory(Guards guards, AuditTrail audit, ResponseWriter writer) {
        super(Config.class);
        this.guards = guards;
        this.audit = audit;
        this.writer = writer;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            EmbeddingsCall call = EmbeddingsCall.of(exchange);
            CallRecord record = state.record();
            return writer.write(
                    exchange,
                    judged(
                                    state.principal(),
                                    record,
                                    call.inputs(),
                                    exchange.getResponse().getHeaders())
                            .flatMap(sent -> {
                                ObjectNode body = call.forwarded().deepCopy();
                                body.set(
                                        "input", call.single() ? JSON.stringNode(sent.get(0)) : JSON.valueToTree(sent));
                                return embed(state, call, body, record);
                            }));
        };
    }

    /** The inputs as they may be sent (redacted where the policy says so), or the blocked prompt's error. */
    private Mono<List<String>> judged(Principal principal, CallRecord record, List<String> inputs, HttpHeaders out) {
        long started = System.nanoTime();
        return Flux.fromIterable(inputs)
                .concatMap(text -> guards.check(principal, GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text)))))
                .collectList()
                .flatMap(results -> {
                    List<String> sent = new ArrayList<>();
                    Set<String> judgedBy = new LinkedHashSet<>();
                    Decision strongest = null;
                    List<String> blockedBy = List.of();
                    for (int i = 0; i < results.size(); i++) {
                        Guards.Checked checked = results.get(i);
                        Decision decision = checked.decision();
                        record.guarded(
                                Direction.INPUT,
                                checked.report().verdicts(),
                                decision,
                                Duration.ofNanos(System.nanoTime() - started));
                        judgedBy.addAll(checked.report().judgedBy());
                        if (strongest == null || decision.action().stricterThan(strongest.action())) {
                            strongest = decision;
                        }
                        if (decision.blocked() && blockedBy.isEmpty()) {
                            blockedBy = checked.report().judgedBy();
                        }
                        sent.add(
                                decision.action() == Action.REDACT
                                        ? guards.redactor().redact(inputs.get(i), decision.redactions())
                                        : inputs.get(i));
                    }
                    out.set(InputGuardGatewayFilterFactory.INPUT_GUARD_HEADER, String.join(",", judgedBy));
                    out.set(
                            InputGuardGatewayFilterFactory.DECISION_HEADER,
                            strongest.action().lowerCase());
                    if (strongest.blocked()) {
                        return audit.record(record, Outcome.BLOCKED_INPUT, 400)
                                .then(Mono.error(ContentFilter.promptBlocked(strongest, blockedBy)));
                    }
                    return Mono.just(sent);
                });
    }

    private Mono<ServerResponse> embed(RequestState state, EmbeddingsCall call, ObjectNode body, CallRecord record) {
        record.inferenceStarted();
        long estimate = state.estimatedTokens();
        return call.engine()
                .embeddings(body)
                .onErrorResume(InferenceException.class, e -> {
                    record.inferenceEnded();
                    state.settle(0);
                    ApiException api = Errors.fromInference(e);
                    record.ruleOnly("engine: " + e.kind() + ": " + e.getMessage());
                    return audit.record(
                                    record, Outcome.UPSTREAM_ERROR, api.status().value())
                            .then(Mono.error(api));
                })
                .flatMap(bytes -> {
                    record.inferenceEnded();
                    ObjectNode answer;
                    try {
                        answer = JSON.readTree(bytes) instanceof ObjectNode o ? o : null;
                    } catch (JacksonException e) {
                        answer = null;
                    }
                    if (answer == null) {
                        state.settle(estimate);
                        record.ruleOnly("engine: embeddings answer is not a JSON object");
                        ApiException api =
                                ApiErrors.upstreamError("the model server sent an embeddings answer that is not JSON");
                        return audit.record(record, Outcome.UPSTREAM_ERROR, 502).then(Mono.error(api));
                    }
                    JsonNode usage = answer.path("usage");
                    int prompt = usage.path("prompt_tokens").asInt((int) estimate);
                    int total = usage.path("total_tokens").asInt(prompt);
                    record.usage(new Usage(prompt, Math.max(0, total - prompt)));
                    state.settle(total);
                    answer.put("model", call.model());
                    if (!usage.isObject()) {
                        answer.putObject("usage").put("prompt_tokens", prompt).put("total_tokens", total);
                    }
                    return audit.record(record, Outcome.ALLOWED, 200)
                            .then(ServerResponse.ok()
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue(JSON.writeValueAsBytes(answer)));
                });
    }
}
