package dev.warden.gateway.route;

import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.stereotype.Component;

/**
 * Stage {@code ReadListing=PURPOSE}: opens the audit record of a call that generates nothing ({@code GET
 * /v1/models}, a stored response, the Files and Batch API), recorded with that purpose and metered as
 * {@link #LISTING_MODEL} with no tokens, so such a call counts against the caller's request limits (and only
 * those) like any other call, unless its route limits it by another budget ({@code RateLimit=files-and-batches}).
 */
@Component
public class ReadListingGatewayFilterFactory
        extends AbstractGatewayFilterFactory<ReadListingGatewayFilterFactory.Config> {

    /** What listings are metered and recorded as: no generation model, so no tenant-model limit applies. */
    public static final String LISTING_MODEL = "warden-models";

    public ReadListingGatewayFilterFactory() {
        super(Config.class);
    }

    /** @param purpose the audit record's purpose ({@code models}, {@code stored-response}, {@code batch}) */
    public static final class Config {
        private String purpose;

        public String getPurpose() {
            return purpose;
        }

        public void setPurpose(String purpose) {
            this.purpose = purpose;
        }
    }

    @Override
    public List<String> shortcutFieldOrder() {
        return List.of("purpose");
    }

    @Override
    public GatewayFilter apply(Config config) {
        String purpose = config.getPurpose();
        if (purpose == null || purpose.isBlank()) {
            throw new IllegalArgumentException(
                    "ReadListing needs the purpose its audit records carry, e.g. ReadListing=models");
        }
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            state.metered(
                    new CallRecord(state.requestId(), state.principal())
                            .clientRequestId(state.clientRequestId())
                            .model(LISTING_MODEL)
                            .purpose(purpose),
                    LISTING_MODEL,
                    0);
            return chain.filter(exchange);
        };
    }
}
