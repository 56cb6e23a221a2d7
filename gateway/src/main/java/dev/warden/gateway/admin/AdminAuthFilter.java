package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.web.BearerKey;
import dev.warden.gateway.web.RequestPaths;
import dev.warden.gateway.web.WebFilterOrder;
import dev.warden.policy.tenant.TenantDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code Authorization: Bearer <admin key>} on every {@code /admin} request and every actuator endpoint but the
 * health probes (the path as routed, {@link RequestPaths}): metrics name tenants and count their requests. The
 * admin key is its own secret, configured only as a hash ({@code warden.admin.key-sha256}); tenant keys never
 * open the admin API. Keys are never logged or echoed.
 * <p>
 * Every key has a role ({@link AdminKeys}): an {@code auditor} key reads (GET, HEAD) and is refused anything else
 * with 403, so {@code POST /admin/audit/retention} is an admin's alone. The identity of the key is left on the
 * exchange ({@link #IDENTITY}) for the handlers, which withhold stored content from auditors without the grant.
 */
public class AdminAuthFilter implements WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(AdminAuthFilter.class);

    /** The exchange attribute holding the {@link AdminIdentity} of an admitted key. */
    public static final String IDENTITY = AdminIdentity.class.getName();

    private final AdminProperties properties;
    private final AdminKeys keys;
    private final TenantDirectory tenants;

    public AdminAuthFilter(AdminProperties properties, AdminKeys keys, TenantDirectory tenants) {
        this.properties = properties;
        this.keys = keys;
        this.tenants = tenants;
    }

    /** The identity of the admin key the request came with; only set once {@link AdminAuthFilter} admitted it. */
    public static AdminIdentity identity(ServerWebExchange exchange) {
        AdminIdentity identity = exchange.getAttribute(IDENTITY);
        if (identity == null) {
            throw new IllegalStateException("no admin identity on this exchange");
        }
        return identity;
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
            log.warn(
                    "admin request {} refused: no admin key",
                    RequestState.of(exchange).requestId());
            return Mono.error(ApiErrors.missingApiKey(
                    "the admin API needs the admin key: send 'Authorization: Bearer ADMIN_KEY'"));
        }
        // AdminKeys compares the hashes in constant time.
        AdminIdentity identity = keys.identify(key).orElse(null);
        if (identity == null) {
            log.warn(
                    "admin request {} refused: wrong admin key",
                    RequestState.of(exchange).requestId());
            return Mono.error(
                    ApiErrors.invalidApiKey("incorrect admin key; tenant API keys do not open the admin API"));
        }
        if (tenants.authenticate(key).isPresent()) {
            // Someone configured a tenant's key as the admin key: every holder of that tenant key would be admin.
            log.error("warden.admin.key-sha256 is the hash of a tenant API key; refusing admin requests until it is "
                    + "replaced by a dedicated admin key");
            return Mono.error(ApiErrors.adminKeyIsTenantKey(
                    "the configured admin key is also a tenant API key, which cannot open the admin API; "
                            + "create a dedicated admin key with " + CreateAdminKeyCommand.class.getName()));
        }
        HttpMethod method = exchange.getRequest().getMethod();
        boolean bundle =
                method == HttpMethod.POST && RequestPaths.routed(exchange).equals("/admin/audit/export");
        if (bundle && !identity.mayWrite()) {
            // An evidence bundle is a read (POST only because it is signed and recorded); the tenant must be in the
            // query for an auditor, so that the content check below sees it.
            ApiException refused = BundleAccess.refusal(
                    identity, exchange.getRequest().getQueryParams().getFirst("tenant"), tenants);
            if (refused != null) {
                return Mono.error(refused);
            }
        } else if (!identity.mayWrite() && method != HttpMethod.GET && method != HttpMethod.HEAD) {
            log.warn(
                    "admin request {} refused: {} key {} is read-only ({} {})",
                    RequestState.of(exchange).requestId(),
                    identity.role().id(),
                    identity.keyId(),
                    method,
                    exchange.getRequest().getPath().value());
            return Mono.error(ApiErrors.adminRoleReadOnly("this key has the "
                    + identity.role().id() + " role, which reads but changes nothing; this needs an admin key"));
        }
        exchange.getAttributes().put(IDENTITY, identity);
        // Admin actions (exports, retention runs) name who did them by role and key id, never by key.
        exchange.getAttributes().put(AdminActor.ATTRIBUTE, identity.actor());
        return chain.filter(exchange);
    }

    static ApiException disabled() {
        return ApiErrors.adminApiDisabled(
                "the admin API and the metrics endpoints are disabled on this gateway. To enable them, create an "
                        + "admin key with " + CreateAdminKeyCommand.class.getName()
                        + " and set warden.admin.key-sha256 "
                        + "(environment: WARDEN_ADMIN_KEYSHA256) or warden.admin.keys[] to the hash it prints");
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
