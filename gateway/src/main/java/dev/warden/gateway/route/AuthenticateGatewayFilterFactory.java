package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.audit.AuthFailureAudit;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.web.BearerKey;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantDirectory;
import java.util.Optional;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code Authenticate}: {@code Authorization: Bearer <key>}, whose hash must belong to a tenant; the caller
 * becomes the request's principal. The presented key is never logged or echoed; only its non-secret id travels
 * further. Every refusal goes to the audit log (rate-bounded, see {@link AuthFailureAudit}).
 * <p>
 * A route stage, not a web filter, because only the {@code /v1} routes take tenant keys; the catch-all
 * {@code /v1/**} route has it too, so no {@code /v1} path answers anything (even a 404) without a key.
 */
@Component
public class AuthenticateGatewayFilterFactory extends StageFactory {

    private final TenantDirectory tenants;
    private final AuthFailureAudit audit;

    public AuthenticateGatewayFilterFactory(TenantDirectory tenants, AuthFailureAudit audit) {
        this.tenants = tenants;
        this.audit = audit;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            String key;
            try {
                key = BearerKey.from(exchange.getRequest().getHeaders());
            } catch (ApiException ambiguous) {
                audit.refused(
                        exchange, ambiguous.code(), null, ambiguous.status().value());
                return Mono.error(ambiguous);
            }
            if (key == null) {
                audit.refused(exchange, "missing_api_key", null);
                return Mono.error(ApiErrors.missingApiKey("You didn't provide an API key. Send it in the "
                        + "Authorization header as 'Authorization: Bearer YOUR_KEY'."));
            }
            Optional<Principal> principal = tenants.authenticate(key);
            if (principal.isEmpty()) {
                audit.refused(exchange, "invalid_api_key", key);
                return Mono.error(ApiErrors.invalidApiKey(
                        "Incorrect API key provided. Ask your gateway administrator for a key."));
            }
            RequestState.of(exchange).authenticated(principal.get());
            return chain.filter(exchange);
        };
    }
}
