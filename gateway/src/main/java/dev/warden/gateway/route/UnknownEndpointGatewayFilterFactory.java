package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiErrors;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code UnknownEndpoint}, the whole of the catch-all {@code /v1/**} route (after {@code Authenticate}): a
 * known path with the wrong method is 405, anything else under {@code /v1} is 404, both in OpenAI's shape.
 */
@Component
public class UnknownEndpointGatewayFilterFactory extends StageFactory {

    private static final Set<String> KNOWN = Set.of(
            "/v1/chat/completions",
            "/v1/completions",
            "/v1/models",
            "/v1/moderations",
            "/v1/safety/run-shield",
            "/v1/responses",
            "/v1/embeddings");

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            String path =
                    exchange.getRequest().getPath().pathWithinApplication().value();
            if (KNOWN.contains(path) || path.startsWith("/v1/models/") || path.startsWith("/v1/responses/")) {
                return Mono.error(ApiErrors.methodNotAllowed(
                        "method " + exchange.getRequest().getMethod() + " is not allowed on " + path));
            }
            return Mono.error(ApiErrors.endpointNotFound("no such endpoint: " + path));
        };
    }
}
