package dev.warden.gateway.admin;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.audit.AuditProperties;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API under {@code /admin}, for operators and compliance dashboards, opened only by the admin key
 * ({@link AdminAuthFilter}).
 */
@Configuration(proxyBeanMethods = false)
public class AdminConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AdminConfiguration.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Path -> the method it answers, for a 405 (rather than a 404) when the method is wrong. */
    private static final Map<String, String> ENDPOINTS = Map.of(
            "/admin/tenants", "GET",
            "/admin/audit/records", "GET",
            "/admin/audit/counts", "GET",
            "/admin/audit/export", "GET or POST",
            "/admin/audit/verify", "GET",
            "/admin/audit/retention", "POST",
            "/admin/audit/actions", "GET",
            "/admin/policy/versions", "GET");

    @Bean
    AdminKeys adminKeys(AdminProperties properties) {
        return new AdminKeys(properties);
    }

    @Bean
    AdminAuthFilter adminAuthFilter(AdminProperties properties, AdminKeys keys, TenantDirectory tenants) {
        if (properties.enabled()) {
            log.info(
                    "admin API enabled under /admin ({} key(s): {})",
                    keys.hashes().size(),
                    keys.describe());
        } else {
            log.info("admin API disabled: set warden.admin.key-sha256 or warden.admin.keys[] to enable it");
        }
        return new AdminAuthFilter(properties, keys, tenants);
    }

    /**
     * With the admin API off, none of its handlers is registered: {@code /admin/**} answers 404 whatever any filter
     * decides, so no mistake in a filter can open it.
     */
    @Bean
    AdminActions adminActions(AuditLog auditLog, AuditProperties auditProperties, MeterRegistry metrics) {
        return new AdminActions(auditLog, auditProperties.on(), metrics);
    }

    @Bean
    AuditHandler auditHandler(
            AuditLog auditLog,
            TenantDirectory tenants,
            AuditProperties auditProperties,
            AdminActions actions,
            dev.warden.gateway.telemetry.ChainVerifyMetrics verifications) {
        return new AuditHandler(
                auditLog, tenants, JSON, auditProperties.authFailureRetentionDays(), actions, verifications);
    }

    @Bean
    EvidenceHandler evidenceHandler(
            AuditLog auditLog, TenantDirectory tenants, dev.warden.policy.audit.OperatorKey operatorKey) {
        return new EvidenceHandler(auditLog, tenants, operatorKey, JSON);
    }

    @Bean
    RouterFunction<ServerResponse> adminRouter(
            AdminProperties properties, AuditHandler audit, EvidenceHandler evidence, TenantDirectory tenants) {
        if (!properties.enabled()) {
            return RouterFunctions.route(
                    path("/admin/**").or(path("/admin")), request -> Mono.error(AdminAuthFilter.disabled()));
        }
        TenantHandler tenantHandler = new TenantHandler(tenants, JSON);
        return RouterFunctions.route()
                .route(GET("/admin/tenants"), tenantHandler::list)
                .route(GET("/admin/tenants/{id}/policy"), tenantHandler::policy)
                .route(GET("/admin/audit/records"), audit::records)
                .route(GET("/admin/audit/counts"), audit::counts)
                .route(GET("/admin/audit/export"), audit::export)
                .route(GET("/admin/audit/verify"), audit::verify)
                .route(POST("/admin/audit/retention"), audit::applyRetention)
                .route(POST("/admin/audit/export"), evidence::bundle)
                .route(GET("/admin/audit/actions"), evidence::actions)
                .route(GET("/admin/policy/versions"), evidence::policyVersions)
                .route(GET("/admin/policy/versions/{digest}"), evidence::policyVersion)
                .route(path("/admin/**").or(path("/admin")), AdminConfiguration::unknown)
                .build();
    }

    private static Mono<ServerResponse> unknown(ServerRequest request) {
        String path = request.path();
        String method = ENDPOINTS.get(path);
        if (method == null
                && (path.matches("/admin/tenants/[^/]+/policy") || path.matches("/admin/policy/versions/[^/]+"))) {
            method = "GET";
        }
        if (method != null) {
            return Mono.error(ApiErrors.methodNotAllowed(path + " answers " + method + " only"));
        }
        return Mono.error(ApiErrors.endpointNotFound(
                "no such admin endpoint; the admin API serves GET /admin/tenants, GET /admin/tenants/{id}/policy, "
                        + "GET /admin/audit/records, GET /admin/audit/counts, GET /admin/audit/export, "
                        + "POST /admin/audit/export (signed evidence bundle), GET /admin/audit/verify, "
                        + "POST /admin/audit/retention, GET /admin/audit/actions, GET /admin/policy/versions and "
                        + "GET /admin/policy/versions/{digest}"));
    }
}
