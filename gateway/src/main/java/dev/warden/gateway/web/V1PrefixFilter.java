package dev.warden.gateway.web;

import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Serves the OpenAI endpoints without their {@code /v1} prefix too ({@code /chat/completions} is
 * {@code /v1/chat/completions}): some clients take a base URL without {@code /v1} and add only the endpoint (Spring
 * AI 1.x), others want it in the base URL (the official SDKs, Spring AI 2.x), and an operator should not have to
 * know which. The request goes on under its {@code /v1} path, so it meets exactly the same route and stages.
 */
@Component
public class V1PrefixFilter implements WebFilter, Ordered {

    private static final Set<String> ENDPOINTS = Set.of(
            "/chat/completions",
            "/completions",
            "/models",
            "/moderations",
            "/embeddings",
            "/responses",
            "/safety/run-shield");
    private static final Set<String> WITH_ID = Set.of("/models/", "/responses/");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!ENDPOINTS.contains(path) && WITH_ID.stream().noneMatch(path::startsWith)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(r -> r.path("/v1" + path)).build());
    }

    @Override
    public int getOrder() {
        return WebFilterOrder.V1_PREFIX;
    }
}
