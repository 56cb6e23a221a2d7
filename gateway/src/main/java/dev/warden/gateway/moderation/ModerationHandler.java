package dev.warden.gateway.moderation;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.HazardCategory;
import dev.warden.guard.OperatingPoint;
import dev.warden.guard.Verdict;
import dev.warden.guard.code.CodeSecurityClassifier;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.tenant.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/moderations} (OpenAI's shape) and {@code POST /v1/safety/run-shield} (Llama Stack's), served by
 * the same classifiers and the caller's tenant policy as the chat guard, so a moderation answer never disagrees
 * with what the gateway would do to the same text.
 * <p>
 * They run the most expensive work of the gateway and answer with exact scores, so they pass the same stages as a
 * chat request (their routes in {@code application.yaml}): the tenant's request and token limits (tokens
 * estimated from the input) and an audit record ({@link AuditTrail}) with every verdict, the decision and the content fingerprints, written
 * durably before the answer leaves. Content itself is kept only for tenants that store content.
 */
public final class ModerationHandler {

    /** OpenAI's moderation categories; S-codes without an equivalent are added as extra keys. */
    static final List<String> OPENAI_CATEGORIES = List.of(
            "harassment",
            "harassment/threatening",
            "hate",
            "hate/threatening",
            "illicit",
            "illicit/violent",
            "self-harm",
            "self-harm/intent",
            "self-harm/instructions",
            "sexual",
            "sexual/minors",
            "violence",
            "violence/graphic");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What these endpoints are metered and recorded as: the gateway's guard, not a generation model. */
    public static final String GUARD_MODEL = "warden-guard";

    private final Guards guards;
    private final RequestBodies bodies;
    private final AuditTrail audit;
    private final Map<String, OperatingPoint> operatingPoints;

    /** {@code operatingPoints}: label -> validation operating point of the classifier that scores it. */
    public ModerationHandler(
            Guards guards, RequestBodies bodies, AuditTrail audit, Map<String, OperatingPoint> operatingPoints) {
        this.guards = guards;
        this.bodies = bodies;
        this.audit = audit;
        this.operatingPoints = Map.copyOf(operatingPoints);
    }

    /**
     * Reads a {@code /v1/moderations} request into the request's state: its audit record, its token estimate
     * (metered as {@link #GUARD_MODEL}) and the judgement {@link #answer} runs once the stages before it passed.
     */
    public Mono<Void> readModerations(ServerWebExchange exchange) {
        RequestState state = RequestState.of(exchange);
        Principal principal = state.principal();
        return bodies.json(exchange)
                .doOnNext(bytes -> {
                    ObjectNode body = object(bytes);
                    List<String> inputs = inputs(body.get("input"));
                    JsonNode modelNode = body.get("model");
                    if (modelNode != null && !modelNode.isNull() && !modelNode.isString()) {
                        throw ApiErrors.wrongType("model", "a string");
                    }
                    String model = modelNode == null || modelNode.isNull() ? GUARD_MODEL : modelNode.stringValue();
                    CallRecord record = new CallRecord(state.requestId(), principal)
                            .clientRequestId(state.clientRequestId())
                            .model(GUARD_MODEL)
                            .purpose("moderation")
                            .prompt(String.join("\n", inputs));
                    state.metered(record, GUARD_MODEL, GenerationCall.estimatedTokens(inputs));
                    state.judgement(() -> Flux.fromIterable(inputs)
                            .concatMap(text -> timed(
                                    record,
                                    Direction.INPUT,
                                    () -> guards.check(
                                            principal, GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text))))))
                            .collectList()
                            .map(results -> {
                                ObjectNode root = JSON.createObjectNode();
                                root.put("id", "modr-" + state.requestId());
                                root.put("model", model);
                                ArrayNode out = root.putArray("results");
                                for (Guards.Checked checked : results) {
                                    out.add(result(checked));
                                }
                                return root;
                            }));
                })
                .then();
    }

    /**
     * The moderation itself, after the stages before it (audit, rate limit) passed: judge, settle the estimate,
     * record the verdicts durably, answer. A guard failure is recorded with its cause; a client that goes away
     * and the reservation's release are the audit and rate-limit stages' to handle.
     */
    public Mono<ServerResponse> answer(RequestState state) {
        CallRecord record = state.record();
        long estimate = state.estimatedTokens();
        return state.judgement()
                .get()
                .onErrorResume(e -> {
                    state.settle(estimate);
                    int status = e instanceof ApiException api ? api.status().value() : 500;
                    record.ruleOnly("guard failed: " + e.getClass().getSimpleName());
                    return audit.record(record, Outcome.UPSTREAM_ERROR, status).then(Mono.error(e));
                })
                .flatMap(body -> {
                    // The classifiers read every input token, whatever they concluded.
                    state.settle(estimate);
                    return audit.record(record, Outcome.ALLOWED, 200).then(json(body));
                });
    }

    /** Runs one check and puts its verdicts and decision on the record. */
    private static Mono<Guards.Checked> timed(
            CallRecord record, Direction direction, Supplier<Mono<Guards.Checked>> check) {
        long started = System.nanoTime();
        return check.get()
                .doOnNext(checked -> record.guarded(
                        direction,
                        checked.report().verdicts(),
                        checked.decision(),
                        Duration.ofNanos(System.nanoTime() - started)));
    }

    private ObjectNode result(Guards.Checked checked) {
        Map<String, Double> scores = maxScores(checked.report().verdicts());
        Decision decision = checked.decision();
        ObjectNode result = JSON.createObjectNode();
        result.put("flagged", decision.action() != Action.ALLOW);
        ObjectNode categories = result.putObject("categories");
        ObjectNode categoryScores = result.putObject("category_scores");
        ObjectNode applied = result.putObject("category_applied_input_types");
        Map<String, Double> openAi = new LinkedHashMap<>();
        OPENAI_CATEGORIES.forEach(c -> openAi.put(c, 0.0));
        for (HazardCategory h : HazardCategory.values()) {
            double s = scores.getOrDefault(h.code(), 0.0);
            for (String key : h.openAiCategories()) {
                openAi.merge(key, s, Math::max);
            }
        }
        for (var e : openAi.entrySet()) {
            boolean flagged = openAiFlagged(e.getKey(), decision);
            categories.put(e.getKey(), flagged);
            categoryScores.put(e.getKey(), e.getValue());
            applied.putArray(e.getKey()).add("text");
        }
        // Extra keys beside OpenAI's: every S-code and every other label a classifier scored.
        for (var e : scores.entrySet()) {
            categories.put(
                    e.getKey(), decision.decisiveLabels().contains(e.getKey()) || triggered(e.getKey(), decision));
            categoryScores.put(e.getKey(), e.getValue());
            applied.putArray(e.getKey()).add("text");
        }
        for (HazardCategory h : HazardCategory.values()) {
            if (!categories.has(h.code())) {
                categories.put(h.code(), false);
                categoryScores.put(h.code(), 0.0);
            }
        }
        ObjectNode meta = result.putObject("metadata");
        meta.put("action", decision.action().lowerCase());
        meta.put("rule", decision.rule());
        ArrayNode ran = meta.putArray("classifiers");
        checked.report().judgedBy().forEach(ran::add);
        // What a score means: the validation operating point of each scored label (the policy still decides).
        ObjectNode points = meta.putObject("operating_points");
        for (String label : scores.keySet()) {
            OperatingPoint p = operatingPoints.get(label);
            if (p != null) {
                ObjectNode n = points.putObject(label);
                n.put("threshold", p.score());
                putRate(n, "validation_false_positive_rate", p.validationFalsePositiveRate());
                putRate(n, "validation_recall", p.validationRecall());
            }
        }
        return result;
    }

    /** null when unknown (no validation rows of that kind). */
    private static void putRate(ObjectNode node, String field, double rate) {
        if (Double.isNaN(rate)) {
            node.putNull(field);
        } else {
            node.put(field, rate);
        }
    }

    /** An OpenAI category is flagged when any S-code mapping to it triggered a rule. */
    private static boolean openAiFlagged(String openAiKey, Decision decision) {
        for (HazardCategory c : HazardCategory.values()) {
            if (c.openAiCategories().contains(openAiKey) && triggered(c.code(), decision)) {
                return true;
            }
        }
        return false;
    }

    private static boolean triggered(String label, Decision decision) {
        return decision.triggers().stream().anyMatch(t -> t.label().equals(label) && t.action() != Action.ALLOW);
    }

    static Map<String, Double> maxScores(List<Verdict> verdicts) {
        Map<String, Double> scores = new TreeMap<>();
        for (Verdict v : verdicts) {
            v.scores().forEach((label, score) -> scores.merge(label, score, Math::max));
        }
        return scores;
    }

    /** Reads a {@code /v1/safety/run-shield} request into the request's state, as {@link #readModerations}. */
    public Mono<Void> readRunShield(ServerWebExchange exchange) {
        RequestState state = RequestState.of(exchange);
        Principal principal = state.principal();
        return bodies.json(exchange)
                .doOnNext(bytes -> {
                    ObjectNode body = object(bytes);
                    JsonNode shieldNode = body.get("shield_id");
                    if (shieldNode == null || shieldNode.isNull()) {
                        throw ApiErrors.missingParameter("shield_id");
                    }
                    if (!shieldNode.isString()) {
                        throw ApiErrors.wrongType("shield_id", "a string");
                    }
                    String shield = shieldNode.stringValue();
                    JsonNode messagesNode = body.get("messages");
                    if (messagesNode == null || messagesNode.isNull()) {
                        throw ApiErrors.missingParameter("messages");
                    }
                    if (!messagesNode.isArray() || messagesNode.isEmpty()) {
                        throw ApiErrors.invalidRequest("'messages' must be a non-empty array of messages", "messages");
                    }
                    List<ChatMessage> messages = new ArrayList<>();
                    for (int i = 0; i < messagesNode.size(); i++) {
                        messages.add(dev.warden.gateway.openai.OpenAiRequests.message(
                                messagesNode.get(i), "messages[" + i + "]"));
                    }
                    ChatMessage last = messages.get(messages.size() - 1);
                    GuardInput input = last.role() == Role.ASSISTANT
                            ? GuardInput.response(messages.subList(0, messages.size() - 1), last.content())
                            : GuardInput.prompt(messages);
                    List<String> known = guards.classifiers(input.direction());
                    boolean all = shield.equals("warden") || shield.equals("all");
                    if (!all && !known.contains(shield)) {
                        throw ApiErrors.shieldNotFound("no shield '" + shield + "' for "
                                + input.direction().name().toLowerCase() + " content; available: warden (all of them), "
                                + String.join(", ", known));
                    }
                    CallRecord record = new CallRecord(state.requestId(), principal)
                            .clientRequestId(state.clientRequestId())
                            .model(GUARD_MODEL)
                            .purpose("run-shield")
                            .prompt(promptText(messages));
                    List<String> texts =
                            messages.stream().map(ChatMessage::content).toList();
                    state.metered(record, GUARD_MODEL, GenerationCall.estimatedTokens(texts));
                    state.judgement(() -> {
                        long started = System.nanoTime();
                        return guards.check(principal, input).map(checked -> {
                            List<Verdict> verdicts = checked.report().verdicts().stream()
                                    .filter(v -> all || v.classifier().equals(shield))
                                    .toList();
                            Decision decision =
                                    all ? checked.decision() : guards.decide(principal, input.direction(), verdicts);
                            // The record holds what the caller was told: the chosen shield's verdicts and its decision.
                            record.guarded(
                                    input.direction(),
                                    verdicts,
                                    decision,
                                    Duration.ofNanos(System.nanoTime() - started));
                            ObjectNode root = JSON.createObjectNode();
                            if (decision.action() == Action.ALLOW) {
                                root.putNull("violation");
                            } else {
                                ObjectNode violation = root.putObject("violation");
                                violation.put("violation_level", decision.blocked() ? "error" : "warn");
                                violation.put(
                                        "user_message",
                                        decision.blocked()
                                                ? "I can't answer that. Can I help with something else?"
                                                : null);
                                ObjectNode meta = violation.putObject("metadata");
                                meta.put(
                                        "violation_type",
                                        String.join(
                                                ",",
                                                decision.decisiveLabels().stream()
                                                        .sorted()
                                                        .toList()));
                                meta.put("action", decision.action().lowerCase());
                                meta.put("rule", decision.rule());
                                ObjectNode scores = meta.putObject("scores");
                                Map<String, Double> max = maxScores(verdicts);
                                max.forEach(scores::put);
                                // CodeShield reports the weaknesses it found by CWE id; so do we, beside the labels.
                                List<String> cwes = max.keySet().stream()
                                        .map(CodeSecurityClassifier::cweOf)
                                        .flatMap(java.util.Optional::stream)
                                        .toList();
                                if (!cwes.isEmpty()) {
                                    cwes.forEach(meta.putArray("cwe")::add);
                                }
                            }
                            return root;
                        });
                    });
                })
                .then();
    }

    /** The conversation as the audit fingerprint covers it, in the chat flow's form ({@code role: text} lines). */
    private static String promptText(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages) {
            text.append(m.role().wire()).append(": ").append(m.content()).append('\n');
        }
        return text.toString();
    }

    private static ObjectNode object(byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiErrors.invalidRequest("the request body is empty; send a JSON object", null);
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (!node.isObject()) {
                throw ApiErrors.invalidRequest("the request body must be a JSON object", null);
            }
            return (ObjectNode) node;
        } catch (JacksonException e) {
            throw ApiErrors.invalidJson(e);
        }
    }

    /** OpenAI's {@code input}: a string, an array of strings, or an array of text parts (images are refused). */
    static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiErrors.missingParameter("input");
        }
        if (input.isString()) {
            return List.of(input.stringValue());
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiErrors.wrongType("input", "a string, an array of strings or an array of text parts");
        }
        if (input.size() > 64) {
            throw ApiErrors.invalidRequest("at most 64 inputs per request", "input");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (item.isString()) {
                out.add(item.stringValue());
            } else if (item.isObject()
                    && item.path("type").isString()
                    && item.path("type").stringValue().equals("text")
                    && item.path("text").isString()) {
                out.add(item.path("text").stringValue());
            } else if (item.isObject()
                    && item.path("type").isString()
                    && item.path("type").stringValue().equals("image_url")) {
                throw ApiErrors.invalidRequest(
                        "image inputs are not supported by this gateway's " + "text classifiers", "input[" + i + "]");
            } else {
                throw ApiErrors.wrongType("input[" + i + "]", "a string or a text part");
            }
        }
        return out;
    }

    private static Mono<ServerResponse> json(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(JSON.writeValueAsBytes(body));
    }
}
