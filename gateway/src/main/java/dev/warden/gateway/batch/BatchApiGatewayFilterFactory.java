package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.route.ResponseWriter;
import dev.warden.policy.audit.Outcome;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Stage {@code BatchApi}, the end of the {@code files-and-batches} route (after {@code ReadListing=batch},
 * {@code Audit} and {@code RateLimit=files-and-batches}): answers OpenAI's Files and Batch API ({@link FilesHandler},
 * {@link BatchesHandler}) for the authenticated tenant. Uploads and batch creation write their own record (with
 * the file's hash, or the licence's verdict: {@link BatchAudit}); every other call that succeeds is recorded here
 * with what it did ({@code GET /v1/batches/batch_…}), durably before its answer leaves; failures are recorded by
 * {@code Audit}.
 */
@Component
public class BatchApiGatewayFilterFactory extends AbstractGatewayFilterFactory<BatchApiGatewayFilterFactory.Config> {

    private final RouterFunction<ServerResponse> router;
    private final ServerCodecConfigurer codecs;
    private final ResponseWriter writer;
    private final AuditTrail audit;

    public BatchApiGatewayFilterFactory(
            FilesHandler files,
            BatchesHandler batches,
            ServerCodecConfigurer codecs,
            ResponseWriter writer,
            AuditTrail audit) {
        super(Config.class);
        this.router = BatchConfiguration.router(files, batches);
        this.codecs = codecs;
        this.writer = writer;
        this.audit = audit;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> {
            ServerRequest request = ServerRequest.create(exchange, codecs.getReaders());
            CallRecord call = RequestState.of(exchange).record();
            // what the record says was done, unless the handler says more (an upload, a new batch, a refusal)
            call.ruleOnly(request.method().name() + " " + request.path());
            return writer.write(
                    exchange,
                    router.route(request)
                            .switchIfEmpty(
                                    Mono.error(() -> ApiErrors.endpointNotFound("no such endpoint: " + request.path())))
                            .flatMap(handler -> handler.handle(request))
                            // a no-op when the handler has recorded the call itself
                            .flatMap(response -> audit.record(
                                            call,
                                            Outcome.ALLOWED,
                                            response.statusCode().value())
                                    .thenReturn(response)));
        };
    }
}
