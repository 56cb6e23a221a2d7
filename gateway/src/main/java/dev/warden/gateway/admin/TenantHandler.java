package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The tenants and their effective policies, from the tenants file in force (in memory: nothing blocks). */
final class TenantHandler {

    private final TenantDirectory tenants;
    private final JsonMapper json;
    private final PolicyJson view;

    TenantHandler(TenantDirectory tenants, JsonMapper json) {
        this.tenants = tenants;
        this.json = json;
        this.view = new PolicyJson(json);
    }

    /** {@code GET /admin/tenants}: ids and names, in file order. */
    Mono<ServerResponse> list(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters.only(request.queryParams(), Set.of());
            ObjectNode root = json.createObjectNode();
            root.put("object", "list");
            root.put("policy_version", tenants.policyVersion());
            ArrayNode data = root.putArray("data");
            for (Tenant t : tenants.tenants()) {
                data.addObject()
                        .put("id", t.id())
                        .put("name", t.name())
                        .put("keys", t.keys().size());
            }
            return ok(root);
        });
    }

    /** {@code GET /admin/tenants/{id}/policy}. */
    Mono<ServerResponse> policy(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters.only(request.queryParams(), Set.of());
            String id = request.pathVariable("id");
            // One snapshot for both reads would be nicer; a reload in between only makes the version newer.
            String version = tenants.policyVersion();
            Tenant tenant = tenants.tenant(id).orElseThrow(() -> ApiErrors.tenantNotFound("id", id));
            return ok(view.tenant(tenant, version));
        });
    }

    private Mono<ServerResponse> ok(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.writeValueAsBytes(body));
    }
}
