package dev.warden.gateway.admin;

import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.web.BearerKey;
import dev.warden.gateway.web.RequestPaths;
import dev.warden.gateway.web.WebFilterOrder;
import dev.warden.policy.tenant.ApiKeys;
import dev.warden.policy.tenant.TenantDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code Authorization: Bearer <admin key>} on every {@code /admin} request and every actuator endpoint but the
 * health probes (the path as routed, {@link RequestPaths}): metrics name tenants and count their requests. The
 * admin key is its own secret, configured only as a hash ({@code warden.admin.key-sha256}); tenant keys never
 * open the admin API. Keys are never logged or echoed.
 */
public class AdminAuthFilter implements WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(AdminAuthFilter.class);

    /** Longer than any key this gateway makes; longer headers are refused without hashing them. */
    private static final int MAX_KEY_LENGTH = 256;

    private final AdminProperties properties;
    private final TenantDirectory tenants;

    public AdminAuthFilter(AdminProperties properties, TenantDirectory tenants) {
        this.properties = properties;
        this.tenants = tenants;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        RequestPaths.Area area = RequestPaths.area(exchange);
        if (area != RequestPaths.Area.ADMIN && area != RequestPaths.Area.OPERATIONS) {
            return chain.filter(exchange);
        }
        if (!properties.enabled()) {
            return Mono.error(disabled());
        }
        String key = BearerKey.from(exchange.getRequest().getHeaders());
        if (key == null) {
            log.warn("admin request {} refused: no admin key", RequestState.of(exchange).requestId());
            return Mono.error(ApiErrors.missingApiKey("the admin API needs the admin key: send 'Authorization: Bearer ADMIN_KEY'"));
        }
        // ApiKeys.matches compares the hashes in constant time.
        if (key.length() > MAX_KEY_LENGTH || !ApiKeys.matches(key, properties.keySha256())) {
            log.warn("admin request {} refused: wrong admin key", RequestState.of(exchange).requestId());
            return Mono.error(ApiErrors.invalidApiKey("incorrect admin key; tenant API keys do not open the admin API"));
        }
        if (tenants.authenticate(key).isPresent()) {
            // Someone configured a tenant's key as the admin key: every holder of that tenant key would be admin.
            log.error("warden.admin.key-sha256 is the hash of a tenant API key; refusing admin requests until it is "
                    + "replaced by a dedicated admin key");
            return Mono.error(ApiErrors.adminKeyIsTenantKey("the configured admin key is also a tenant API key, which cannot open the admin API; "
                            + "create a dedicated admin key with " + CreateAdminKeyCommand.class.getName()));
        }
        // Admin actions (exports, retention runs) name who did them by key id, never by key.
        exchange.getAttributes().put(AdminActor.ATTRIBUTE, "admin:" + ApiKeys.keyId(properties.keySha256()));
        return chain.filter(exchange);
    }

    static ApiException disabled() {
        return ApiErrors.adminApiDisabled(
                "the admin API and the metrics endpoints are disabled on this gateway. To enable them, create an "
                        + "admin key with " + CreateAdminKeyCommand.class.getName()
                        + " and set warden.admin.key-sha256 "
                        + "(environment: WARDEN_ADMIN_KEYSHA256) to the hash it prints");
    }

    /**
     * After the request id (so refusals carry one), metrics and the canonical-path check. A web filter rather than a
     * route stage: it guards actuator endpoints too, which no gateway route serves.
     */
    @Override
    public int getOrder() {
        return WebFilterOrder.ADMIN_KEY;
    }
}
