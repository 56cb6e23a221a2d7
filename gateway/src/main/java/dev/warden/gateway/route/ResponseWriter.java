package dev.warden.gateway.route;

import java.util.List;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * How a terminal stage (one that answers itself instead of routing on) writes its answer: the same
 * {@link ServerResponse} a WebFlux handler would return, written with the application's codecs, so headers,
 * status and streaming behave exactly as they do for a handler.
 */
@Component
public class ResponseWriter {

    private final ServerResponse.Context context;

    public ResponseWriter(ServerCodecConfigurer codecs) {
        List<HttpMessageWriter<?>> writers = codecs.getWriters();
        this.context = new ServerResponse.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return writers;
            }

            @Override
            public List<ViewResolver> viewResolvers() {
                return List.of();
            }
        };
    }

    public Mono<Void> write(ServerWebExchange exchange, Mono<ServerResponse> response) {
        return response.flatMap(r -> r.writeTo(exchange, context));
    }
}
