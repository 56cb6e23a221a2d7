package dev.warden.gateway.web;

import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.audit.AuthFailureAudit;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantDirectory;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code Authorization: Bearer <key>} on every {@code /v1} request (the path as routed, {@link RequestPaths}):
 * the key's hash must belong to a tenant. The presented key is never logged or echoed; only its non-secret id
 * travels further. Every refusal goes to the audit log (rate-bounded, see {@link AuthFailureAudit}).
 */
@Component
public class ApiKeyAuthFilter implements WebFilter, Ordered {

    private final TenantDirectory tenants;
    private final AuthFailureAudit audit;

    public ApiKeyAuthFilter(TenantDirectory tenants, AuthFailureAudit audit) {
        this.tenants = tenants;
        this.audit = audit;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (RequestPaths.area(exchange) != RequestPaths.Area.API) {
            return chain.filter(exchange);
        }
        String key;
        try {
            key = BearerKey.from(exchange.getRequest().getHeaders());
        } catch (ApiException ambiguous) {
            audit.refused(exchange, ambiguous.code(), null, ambiguous.status().value());
            return Mono.error(ambiguous);
        }
        if (key == null) {
            audit.refused(exchange, "missing_api_key", null);
            return Mono.error(ApiErrors.missingApiKey("You didn't provide an API key. Send it in the Authorization header as "
                            + "'Authorization: Bearer YOUR_KEY'."));
        }
        Optional<Principal> principal = tenants.authenticate(key);
        if (principal.isEmpty()) {
            audit.refused(exchange, "invalid_api_key", key);
            return Mono.error(ApiErrors.invalidApiKey("Incorrect API key provided. Ask your gateway administrator for a key."));
        }
        RequestState.of(exchange).authenticated(principal.get());
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return WebFilterOrder.API_KEY;
    }
}
