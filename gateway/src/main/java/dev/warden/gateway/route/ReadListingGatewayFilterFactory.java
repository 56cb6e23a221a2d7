package dev.warden.gateway.route;

import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;

/**
 * Stage {@code ReadListing}: opens the audit record of a request without a body ({@code GET /v1/models}), metered
 * as {@link #LISTING_MODEL} with no tokens, so a model listing counts against the caller's request limits (and
 * only those) like any other call.
 */
@Component
public class ReadListingGatewayFilterFactory extends StageFactory {

    /** What listings are metered and recorded as: no generation model, so no tenant-model limit applies. */
    public static final String LISTING_MODEL = "warden-models";

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            state.metered(
                    new CallRecord(state.requestId(), state.principal())
                            .clientRequestId(state.clientRequestId())
                            .model(LISTING_MODEL)
                            .purpose("models"),
                    LISTING_MODEL,
                    0);
            return chain.filter(exchange);
        };
    }
}
