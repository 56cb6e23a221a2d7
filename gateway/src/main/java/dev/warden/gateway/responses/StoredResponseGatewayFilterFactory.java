package dev.warden.gateway.responses;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.route.ResponseWriter;
import dev.warden.policy.audit.Outcome;
import java.util.Map;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Stage {@code StoredResponse}, the whole of the {@code /v1/responses/{id}} route: {@code GET} answers the stored
 * Response, {@code DELETE} forgets it; only the tenant that created it can see it (any other gets 404). After
 * {@code ReadListing}, {@code Audit} and {@code RateLimit}: a read is metered and recorded like a listing.
 */
@Component
public class StoredResponseGatewayFilterFactory
        extends AbstractGatewayFilterFactory<StoredResponseGatewayFilterFactory.Config> {

    private final StoredResponses stored;
    private final ResponseWriter writer;
    private final AuditTrail audit;

    public StoredResponseGatewayFilterFactory(StoredResponses stored, ResponseWriter writer, AuditTrail audit) {
        super(Config.class);
        this.stored = stored;
        this.writer = writer;
        this.audit = audit;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> {
            Map<String, String> variables = ServerWebExchangeUtils.getUriTemplateVariables(exchange);
            String id = variables.getOrDefault("id", "");
            RequestState state = RequestState.of(exchange);
            String tenant = state.principal().tenantId();
            // reading or deleting stored content is recorded like any other call (a miss by the Audit stage)
            Mono<Void> recorded = audit.record(state.record(), Outcome.ALLOWED, 200);
            if (exchange.getRequest().getMethod() == HttpMethod.DELETE) {
                if (!stored.delete(tenant, id)) {
                    return Mono.error(notFound(id));
                }
                var body = ResponsesRequest.JSON
                        .createObjectNode()
                        .put("id", id)
                        .put("object", "response.deleted")
                        .put("deleted", true);
                return writer.write(
                        exchange,
                        recorded.then(ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(ResponsesRequest.JSON.writeValueAsBytes(body))));
            }
            StoredResponses.Stored s = stored.get(tenant, id);
            if (s == null) {
                return Mono.error(notFound(id));
            }
            return writer.write(
                    exchange,
                    recorded.then(ServerResponse.ok()
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(ResponsesRequest.JSON.writeValueAsBytes(s.response()))));
        };
    }

    private static ApiException notFound(String id) {
        return ApiErrors.storedResponseNotFound("No response with id '" + id + "' is stored for this tenant");
    }
}
