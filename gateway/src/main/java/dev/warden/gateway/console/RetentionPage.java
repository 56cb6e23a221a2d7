package dev.warden.gateway.console;

import dev.warden.gateway.admin.AuditHandler;
import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.RefusedAuthentication;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Retention settings as in force (each tenant's metadata and content periods and legal hold, the period of refused
 * authentications; admin actions are kept), and the run button, an admin's alone: the run is the same as
 * {@code POST /admin/audit/retention} ({@link AuditHandler#runRetention}) and is on the admin-actions record.
 */
final class RetentionPage {

    private final TenantDirectory tenants;
    private final AuditHandler audit;
    private final int authFailureRetentionDays;

    RetentionPage(TenantDirectory tenants, AuditHandler audit, int authFailureRetentionDays) {
        this.tenants = tenants;
        this.audit = audit;
        this.authFailureRetentionDays = authFailureRetentionDays;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request)
                .flatMap(who -> ConsolePages.page(
                        request, who, "Retention", "Retention", render(who.mayWrite()), HttpStatus.OK));
    }

    /** {@code POST /console/retention/run}; the security chain lets only admins here. */
    Mono<ServerResponse> run(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> audit.runRetention(request.exchange(), who, null)
                .flatMap(result -> {
                    StringBuilder h = new StringBuilder("<p id=\"retention-result\">Deleted ")
                            .append(result.path("deleted").asLong())
                            .append(" record(s)")
                            .append(result.path("complete").asBoolean() ? "." : "; some tenants failed.")
                            .append("</p><table><thead><tr><th>tenant</th><th>retention days</th><th>deleted</th>"
                                    + "<th>legal hold</th></tr></thead><tbody>");
                    for (JsonNode t : result.path("data")) {
                        h.append("<tr><td>")
                                .append(Html.text(t.path("tenant").asString()))
                                .append("</td><td>")
                                .append(t.path("retention_days").asInt())
                                .append("</td><td>")
                                .append(t.path("deleted").asLong())
                                .append("</td><td>")
                                .append(t.path("legal_hold").asBoolean() ? "on" : "off")
                                .append("</td></tr>");
                    }
                    h.append("</tbody></table>").append(render(true));
                    return ConsolePages.page(request, who, "Retention", "Retention", h.toString(), HttpStatus.OK);
                }));
    }

    private String render(boolean mayRun) {
        StringBuilder h = new StringBuilder();
        h.append("<table id=\"retention\"><thead><tr><th>chain</th><th>records (metadata) kept for</th>"
                + "<th>content</th><th>legal hold</th></tr></thead><tbody>");
        for (Tenant t : tenants.tenants()) {
            var audit = t.policy().audit();
            h.append("<tr><td>")
                    .append(Html.text(t.id()))
                    .append("</td><td>")
                    .append(audit.metadataRetentionDays())
                    .append(" days</td><td>")
                    .append(
                            audit.storeContent()
                                    ? "stored (redacted), kept " + audit.contentRetentionDays() + " days"
                                    : "not stored (fingerprints only)")
                    .append("</td><td>")
                    .append(audit.legalHold() ? "<b>on</b>: nothing is deleted" : "off")
                    .append("</td></tr>");
        }
        h.append("<tr><td>")
                .append(Html.text(RefusedAuthentication.CHAIN))
                .append("</td><td>")
                .append(authFailureRetentionDays)
                .append(" days</td><td>not stored</td><td>&mdash;</td></tr>");
        h.append("<tr><td>")
                .append(Html.text(AdminAction.CHAIN))
                .append("</td><td>kept (no period)</td>" + "<td>not stored</td><td>&mdash;</td></tr></tbody></table>");
        h.append("<p class=\"note\">Periods come from the tenants file (<code>audit.*</code>, see CONFIGURATION) and "
                + "<code>warden.audit.auth-failures-retention-days</code>. A run deletes older records and leaves a "
                + "checkpoint in each chain, so the chains still verify.</p>");
        h.append("<form method=\"post\" action=\"/console/retention/run\">")
                .append(ConsolePages.CSRF_PLACEHOLDER)
                .append("<button type=\"submit\" id=\"run-retention\"")
                .append(mayRun ? "" : " title=\"needs an admin key\"")
                .append(">Run retention now</button></form>");
        return h.toString();
    }
}
