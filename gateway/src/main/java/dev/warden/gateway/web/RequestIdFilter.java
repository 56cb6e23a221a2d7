package dev.warden.gateway.web;

import dev.warden.gateway.flow.RequestState;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request an id of the gateway's own and puts it on every response, errors included. A client's
 * {@code x-request-id} is never taken as the request id (two tenants could then share one, and one tenant could
 * make its records collide with another's); a well-formed one is kept beside it, echoed as
 * {@code x-client-request-id}, so the client can still match its own ids.
 * <p>
 * A web filter, not a route stage: every response carries an id, {@code /admin}, actuator and refusals made
 * before any route was chosen (a non-canonical path) included. It opens the request's {@code RequestState}.
 */
@Component
public class RequestIdFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = RequestIds.fresh();
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
        String sent = exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER);
        boolean keep = RequestIds.wellFormed(sent);
        if (keep) {
            exchange.getResponse().getHeaders().set(RequestIds.CLIENT_HEADER, sent);
        }
        RequestState.open(exchange, id, keep ? sent : null);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return WebFilterOrder.REQUEST_ID;
    }
}
