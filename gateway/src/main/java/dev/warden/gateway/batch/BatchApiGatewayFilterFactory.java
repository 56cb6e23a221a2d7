package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.route.ResponseWriter;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Stage {@code BatchApi}, after {@code Authenticate} on the {@code files-and-batches} route: answers OpenAI's Files
 * and Batch API ({@link FilesHandler}, {@link BatchesHandler}) for the authenticated tenant.
 */
@Component
public class BatchApiGatewayFilterFactory extends AbstractGatewayFilterFactory<BatchApiGatewayFilterFactory.Config> {

    private final RouterFunction<ServerResponse> router;
    private final ServerCodecConfigurer codecs;
    private final ResponseWriter writer;

    public BatchApiGatewayFilterFactory(
            FilesHandler files, BatchesHandler batches, ServerCodecConfigurer codecs, ResponseWriter writer) {
        super(Config.class);
        this.router = BatchConfiguration.router(files, batches);
        this.codecs = codecs;
        this.writer = writer;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> {
            ServerRequest request = ServerRequest.create(exchange, codecs.getReaders());
            return writer.write(
                    exchange,
                    router.route(request)
                            .switchIfEmpty(
                                    Mono.error(() -> ApiErrors.endpointNotFound("no such endpoint: " + request.path())))
                            .flatMap(handler -> handler.handle(request)));
        };
    }
}
