package dev.warden.gateway.web;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.audit.AuthFailureAudit;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses (400) any request whose path is not in canonical form, before any key check or routing: then the path
 * the key checks read and the path the router matches cannot differ. Every endpoint of this gateway has a plain
 * ASCII path, so no real client sends encoded, matrix or dot-segment forms; those who do are probing. The refusal
 * goes to the refused-authentication audit chain, like a missing key (rate-bounded there).
 * <p>
 * The same idea as Spring Security's StrictServerWebExchangeFirewall, stricter: no percent-encoding at all.
 * <p>
 * A web filter, not a route stage: it must run on every path ({@code /v1}, {@code /admin}, actuator, and paths no
 * route serves) before any route predicate or key check reads the path.
 */
@Component
public class CanonicalPathFilter implements WebFilter, Ordered {

    public static final String REASON = "non_canonical_path";

    private final AuthFailureAudit audit;

    public CanonicalPathFilter(AuthFailureAudit audit) {
        this.audit = audit;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String why = RequestPaths.nonCanonical(exchange.getRequest().getURI().getRawPath());
        if (why == null) {
            return chain.filter(exchange);
        }
        audit.refused(exchange, REASON, null, HttpStatus.BAD_REQUEST.value());
        return Mono.error(
                ApiErrors.invalidPath(why + "; send the path exactly as documented, e.g. /v1/chat/completions"));
    }

    /** After the request id (refusals carry one) and the request metrics (refusals are counted). */
    @Override
    public int getOrder() {
        return WebFilterOrder.CANONICAL_PATH;
    }
}
