package dev.warden.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Headers every response carries, refusals included: {@code X-Content-Type-Options: nosniff} (a browser must not
 * read a JSON error as HTML) and {@code Cache-Control: no-store} (completions, audit exports and errors are
 * per-tenant and must not be kept by a shared cache). {@code WWW-Authenticate} on 401 is set where 401s are
 * written ({@link OpenAiErrorHandler}).
 * <p>
 * A web filter, not a route stage: the headers belong on every response, whatever path or refusal produced it.
 */
@Component
public class SecurityHeadersFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return WebFilterOrder.SECURITY_HEADERS;
    }
}
