package dev.warden.gateway.embeddings;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.ContentFilter;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.web.ApiKeyAuthFilter;
import dev.warden.gateway.web.RequestIds;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.InferenceException;
import dev.warden.inference.Role;
import dev.warden.inference.Usage;
import dev.warden.inference.remote.RemoteEngine;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.ratelimit.Reservation;
import dev.warden.policy.tenant.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/embeddings} for remote models that declare they serve embeddings
 * ({@code warden.models[*].remote.embeddings: true}). Each input is judged like a prompt (content rules, the attack
 * and hazard classifiers, the tenant's policy): a block refuses the request as a blocked prompt does, a redaction
 * embeds the redacted text. Tokens count against the tenant's limits (settled from the upstream's usage), and
 * every request is audited with the verdicts. Token-id inputs are refused: they cannot be judged.
 */
public final class EmbeddingsHandler {

    /** OpenAI's own limit on inputs per request. */
    static final int MAX_INPUTS = 2048;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ModelCatalog catalog;
    private final ModelFeatures features;
    private final RequestBodies bodies;
    private final Guards guards;
    private final RateLimitStage limits;
    private final AuditTrail audit;

    public EmbeddingsHandler(ModelCatalog catalog, ModelFeatures features, RequestBodies bodies, Guards guards,
                             RateLimitStage limits, AuditTrail audit) {
        this.catalog = catalog;
        this.features = features;
        this.bodies = bodies;
        this.guards = guards;
        this.limits = limits;
        this.audit = audit;
    }

    public Mono<ServerResponse> embeddings(ServerRequest request) {
        HttpHeaders out = request.exchange().getResponse().getHeaders();
        out.set(GenerationFlow.DECISION_HEADER, GenerationFlow.NOT_JUDGED);
        Principal principal = ApiKeyAuthFilter.principal(request.exchange());
        return bodies.json(request).flatMap(bytes -> {
            ObjectNode body = parse(bytes);
            String name = string(body, "model");
            ServedModel model = catalog.require(name);
            if (!features.of(name).embeddings() || !(model.engine() instanceof RemoteEngine engine)) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "model_not_embedding",
                        "model", "The model '" + name + "' does not serve embeddings on this gateway; a remote "
                        + "model does when configured with remote.embeddings: true");
            }
            boolean single = body.get("input") != null && body.get("input").isString();
            List<String> inputs = inputs(body.get("input"));
            ObjectNode forwarded = JSON.createObjectNode();
            for (String field : new String[] {"encoding_format", "dimensions"}) {
                JsonNode v = body.get(field);
                if (v != null && !v.isNull()) {
                    forwarded.set(field, v.deepCopy());
                }
            }
            audit.requireAccepting();
            CallRecord record = new CallRecord(RequestIds.of(request.exchange()), principal)
                    .clientRequestId(RequestIds.clientOf(request.exchange())).model(name).purpose("embeddings")
                    .prompt(String.join("\n", inputs));
            long estimate = GenerationCall.estimatedTokens(inputs);
            return limits.reserve(record, name, estimate, out)
                    .flatMap(reservation -> judged(principal, record, inputs, out)
                            .flatMap(sent -> {
                                forwarded.set("input", single ? JSON.stringNode(sent.get(0))
                                        : JSON.valueToTree(sent));
                                return embed(engine, name, forwarded, record, reservation, estimate);
                            })
                            .doOnError(e -> reservation.release())
                            .doOnCancel(() -> {
                                reservation.release();
                                audit.recordDetached(record, Outcome.CLIENT_ABORT, 499);
                            })
                            .doFinally(s -> reservation.release()));
        });
    }

    /** The inputs as they may be sent (redacted where the policy says so), or the blocked prompt's error. */
    private Mono<List<String>> judged(Principal principal, CallRecord record, List<String> inputs, HttpHeaders out) {
        long started = System.nanoTime();
        return Flux.fromIterable(inputs)
                .concatMap(text -> guards.check(principal, GuardInput.prompt(List.of(ChatMessage.of(Role.USER,
                        text)))))
                .collectList()
                .flatMap(results -> {
                    List<String> sent = new ArrayList<>();
                    Set<String> judgedBy = new LinkedHashSet<>();
                    Decision strongest = null;
                    List<String> blockedBy = List.of();
                    for (int i = 0; i < results.size(); i++) {
                        Guards.Checked checked = results.get(i);
                        Decision decision = checked.decision();
                        record.guarded(Direction.INPUT, checked.report().verdicts(), decision,
                                Duration.ofNanos(System.nanoTime() - started));
                        judgedBy.addAll(checked.report().judgedBy());
                        if (strongest == null || decision.action().ordinal() > strongest.action().ordinal()) {
                            strongest = decision;
                        }
                        if (decision.blocked() && blockedBy.isEmpty()) {
                            blockedBy = checked.report().judgedBy();
                        }
                        sent.add(decision.action() == Action.REDACT
                                ? guards.redactor().redact(inputs.get(i), decision.redactions()) : inputs.get(i));
                    }
                    out.set(GenerationFlow.INPUT_GUARD_HEADER, String.join(",", judgedBy));
                    out.set(GenerationFlow.DECISION_HEADER, strongest.action().lowerCase());
                    if (strongest.blocked()) {
                        return audit.record(record, Outcome.BLOCKED_INPUT, 400)
                                .then(Mono.error(ContentFilter.promptBlocked(strongest, blockedBy)));
                    }
                    return Mono.just(sent);
                });
    }

    private Mono<ServerResponse> embed(RemoteEngine engine, String name, ObjectNode body, CallRecord record,
                                       Reservation reservation, long estimate) {
        record.inferenceStarted();
        return engine.embeddings(body)
                .onErrorResume(InferenceException.class, e -> {
                    record.inferenceEnded();
                    reservation.settle(0);
                    ApiException api = Errors.fromInference(e);
                    record.ruleOnly("engine: " + e.kind() + ": " + e.getMessage());
                    return audit.record(record, Outcome.UPSTREAM_ERROR, api.status().value()).then(Mono.error(api));
                })
                .flatMap(bytes -> {
                    record.inferenceEnded();
                    ObjectNode answer;
                    try {
                        answer = (ObjectNode) JSON.readTree(bytes);
                    } catch (JacksonException | ClassCastException e) {
                        reservation.settle(estimate);
                        record.ruleOnly("engine: embeddings answer is not a JSON object");
                        ApiException api = new ApiException(HttpStatus.BAD_GATEWAY, "server_error", "upstream_error",
                                null, "the model server sent an embeddings answer that is not JSON");
                        return audit.record(record, Outcome.UPSTREAM_ERROR, 502).then(Mono.error(api));
                    }
                    JsonNode usage = answer.path("usage");
                    int prompt = usage.path("prompt_tokens").asInt((int) estimate);
                    int total = usage.path("total_tokens").asInt(prompt);
                    record.usage(new Usage(prompt, Math.max(0, total - prompt)));
                    reservation.settle(total);
                    answer.put("model", name);
                    if (!answer.has("usage") || !usage.isObject()) {
                        answer.putObject("usage").put("prompt_tokens", prompt).put("total_tokens", total);
                    }
                    return audit.record(record, Outcome.ALLOWED, 200).then(ServerResponse.ok()
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(JSON.writeValueAsBytes(answer)));
                });
    }

    private static ObjectNode parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw ApiException.invalid(null, "the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            throw ApiException.invalidJson(e);
        }
        throw ApiException.invalid(null, "the request body must be a JSON object");
    }

    private static String string(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.missing(field);
        }
        if (!v.isString()) {
            throw ApiException.wrongType(field, "a string");
        }
        return v.stringValue();
    }

    /** A string or an array of strings; token ids are refused, since no guard can judge them. */
    static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.missing("input");
        }
        if (input.isString()) {
            return List.of(input.stringValue());
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.wrongType("input", "a string or a non-empty array of strings");
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiException.invalid("input", "'input' holds at most " + MAX_INPUTS + " texts");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode text = input.get(i);
            if (!text.isString()) {
                throw ApiException.invalid("input[" + i + "]", "embedding inputs must be text: token ids cannot "
                        + "be judged by the gateway's guard; send the text");
            }
            texts.add(text.stringValue());
        }
        return texts;
    }
}
