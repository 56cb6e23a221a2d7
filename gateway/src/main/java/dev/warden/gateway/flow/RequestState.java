package dev.warden.gateway.flow;

import dev.warden.gateway.models.ServedModel;
import dev.warden.policy.ratelimit.Reservation;
import dev.warden.policy.tenant.Principal;
import java.util.function.Supplier;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the gateway knows about one request, filled in stage by stage: the one exchange attribute the stages share,
 * typed, instead of loose string attributes each stage would have to know the key and type of.
 * <p>
 * Its fields are written by one stage and read by the ones after it, which Reactor orders (a stage's writes
 * happen before the signal that runs the next one); {@code volatile} keeps reads from other threads, such as a
 * metrics callback at the end of a stream, honest.
 */
public final class RequestState {

    private static final String ATTRIBUTE = RequestState.class.getName();
    /** For an exchange no request-id filter saw (it runs first on every path, so in practice only in unit tests). */
    private static final String UNKNOWN = "unknown";

    private final String requestId;
    private final String clientRequestId;
    private volatile Principal principal;
    private volatile CallRecord record;
    private volatile String meteredModel;
    private volatile long estimatedTokens;
    private volatile Reservation reservation;
    private volatile GenerationCall call;
    private volatile ServedModel model;
    private volatile String purpose;
    private volatile OutputGuard outputGuard;
    private volatile Supplier<Mono<ObjectNode>> judgement;

    private RequestState(String requestId, String clientRequestId) {
        this.requestId = requestId;
        this.clientRequestId = clientRequestId;
    }

    /** Opens the request's state; the request-id stage does this first on every request. */
    public static RequestState open(ServerWebExchange exchange, String requestId, String clientRequestId) {
        RequestState state = new RequestState(requestId, clientRequestId);
        exchange.getAttributes().put(ATTRIBUTE, state);
        return state;
    }

    /** The request's state; one with request id {@code unknown} when none was opened. */
    public static RequestState of(ServerWebExchange exchange) {
        RequestState state = exchange.getAttribute(ATTRIBUTE);
        return state != null
                ? state
                : (RequestState)
                        exchange.getAttributes().computeIfAbsent(ATTRIBUTE, k -> new RequestState(UNKNOWN, null));
    }

    /** The gateway's own id of the request. */
    public String requestId() {
        return requestId;
    }

    /** The client's own well-formed {@code x-request-id}, kept beside the gateway's; null when none was sent. */
    public String clientRequestId() {
        return clientRequestId;
    }

    /** Set once by authentication. */
    public void authenticated(Principal principal) {
        this.principal = principal;
    }

    /** The authenticated caller; a stage that needs one runs after authentication, so its absence is a bug. */
    public Principal principal() {
        Principal p = principal;
        if (p == null) {
            throw new IllegalStateException("request " + requestId + " has no authenticated principal");
        }
        return p;
    }

    /** The caller's tenant, or null before (or without) authentication. */
    public String tenantId() {
        Principal p = principal;
        return p == null ? null : p.tenantId();
    }

    /**
     * What the request is metered and recorded as, set by the stage that reads the request: its audit record (the
     * audit stage guarantees it is written however the request ends), the model it is limited under and the tokens
     * the rate-limit stage reserves.
     */
    public void metered(CallRecord record, String model, long estimatedTokens) {
        this.record = record;
        this.meteredModel = model;
        this.estimatedTokens = estimatedTokens;
    }

    public CallRecord record() {
        return require(record, "no audit record (a route needs a reading stage before Audit)");
    }

    public String meteredModel() {
        return meteredModel;
    }

    public long estimatedTokens() {
        return estimatedTokens;
    }

    /** Set by the rate-limit stage; the stages after it settle the real tokens on it. */
    public void reserved(Reservation reservation) {
        this.reservation = reservation;
    }

    /** Charges the tokens the request really used; nothing on a route without a rate-limit stage. */
    public void settle(long tokens) {
        Reservation r = reservation;
        if (r != null) {
            r.settle(tokens);
        }
    }

    /** A generation request as read: the call, the model it names, and the declared purpose. */
    public void generation(GenerationCall call, ServedModel model, String purpose) {
        this.call = call;
        this.model = model;
        this.purpose = purpose;
    }

    /** The call as it goes on; the input guard replaces it with its redacted form. */
    public GenerationCall call() {
        return require(call, "no generation request (a route needs ReadGeneration before this stage)");
    }

    public void call(GenerationCall call) {
        this.call = call;
    }

    public ServedModel model() {
        return require(model, "no model (a route needs ReadGeneration before this stage)");
    }

    public String purpose() {
        return purpose;
    }

    /** Set by the output-guard stage; the engine stage releases nothing that has not passed it. */
    public void outputGuard(OutputGuard outputGuard) {
        this.outputGuard = outputGuard;
    }

    public OutputGuard outputGuard() {
        return require(
                outputGuard,
                "no output guard (a route needs OutputGuard before Generate, so that no "
                        + "generated text leaves unjudged)");
    }

    /** A moderation request as read: the judgement it asks for, run by the moderation stage. */
    public void judgement(Supplier<Mono<ObjectNode>> judgement) {
        this.judgement = judgement;
    }

    public Supplier<Mono<ObjectNode>> judgement() {
        return require(judgement, "no moderation request (a route needs ReadModeration before Moderate)");
    }

    private <T> T require(T value, String missing) {
        if (value == null) {
            throw new IllegalStateException("request " + requestId + ": " + missing);
        }
        return value;
    }
}
