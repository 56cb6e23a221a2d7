package dev.warden.gateway.web;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.api.OpenAiErrors;
import dev.warden.gateway.flow.RequestState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Every failure, wherever it happens, reaches the client in OpenAI's error shape. Runs before Spring Boot's own
 * handler so that no HTML or Spring error body ever leaves.
 */
@Component
@Order(-2)
public class OpenAiErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        ApiException api = Errors.toApi(ex);
        if (api.status().is5xxServerError() && !(ex instanceof ApiException)) {
            log.error("request {} failed: {}", RequestState.of(exchange).requestId(), ex.toString(), ex);
        }
        return write(response, api);
    }

    public static Mono<Void> write(ServerHttpResponse response, ApiException api) {
        response.setStatusCode(api.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (api.status() == org.springframework.http.HttpStatus.UNAUTHORIZED) {
            // RFC 6750: a 401 names the scheme the client should use.
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"warden\"");
        }
        if (api.retryAfter() != null) {
            headers.set(
                    HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(1, (api.retryAfter().toMillis() + 999) / 1000)));
        }
        byte[] bytes = OpenAiErrors.bytes(api);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }
}
