package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.licence.LicenceCheck;
import dev.warden.policy.licence.LicenceVerdict;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code Licence}: the caller's tenant must have accepted the model's licence for the declared purpose
 * ({@code x-warden-purpose}, {@code x-warden-derivative-model}); a refusal is recorded
 * ({@link Outcome#LICENCE_DENIED}) and answered 403 (or 5xx when the licence itself cannot be read). An allowed
 * call carries the licence's attribution ({@code x-model-attribution}).
 */
@Component
public class LicenceGatewayFilterFactory extends StageFactory {

    public static final String DERIVATIVE_HEADER = "x-warden-derivative-model";
    public static final String ATTRIBUTION_HEADER = "x-model-attribution";

    private final LicenceCheck licences;
    private final AuditTrail audit;

    public LicenceGatewayFilterFactory(LicenceCheck licences, AuditTrail audit) {
        this.licences = licences;
        this.audit = audit;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            CallRecord record = state.record();
            LicenceVerdict licence = licences.check(
                    state.principal().tenant(),
                    state.model().descriptor().licence(),
                    state.purpose(),
                    exchange.getRequest().getHeaders().getFirst(DERIVATIVE_HEADER));
            if (licence instanceof LicenceVerdict.Denied denied) {
                exchange.getResponse()
                        .getHeaders()
                        .set(
                                InputGuardGatewayFilterFactory.DECISION_HEADER,
                                dev.warden.policy.decision.Action.BLOCK.lowerCase());
                record.ruleOnly(denied.message());
                return audit.record(record, Outcome.LICENCE_DENIED, denied.httpStatus())
                        .then(Mono.error(
                                ApiErrors.licenceDenied(denied.httpStatus(), denied.code(), denied.message())));
            }
            String attribution = ((LicenceVerdict.Allowed) licence).attribution();
            if (attribution != null && !attribution.isBlank()) {
                exchange.getResponse().getHeaders().set(ATTRIBUTION_HEADER, attribution);
            }
            return chain.filter(exchange);
        };
    }
}
