package dev.warden.gateway.flow;

import dev.warden.policy.tenant.Principal;
import org.springframework.web.server.ServerWebExchange;

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
        return state != null ? state
                : (RequestState) exchange.getAttributes().computeIfAbsent(ATTRIBUTE, k -> new RequestState(UNKNOWN,
                        null));
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
}
