package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminActor;
import dev.warden.gateway.admin.BundleAccess;
import dev.warden.gateway.admin.EvidenceHandler;
import dev.warden.gateway.api.ApiException;
import dev.warden.policy.tenant.TenantDirectory;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /console/export/bundle} (form: {@code tenant}, {@code from}, {@code to}, CSRF token): the signed
 * evidence bundle of {@code POST /admin/audit/export} ({@link EvidenceHandler#bundle}), recorded as the
 * signed-in key's {@code audit.export}; an auditor without the content-read grant gets one only of a tenant that
 * stores no content ({@link BundleAccess}).
 */
final class BundleExport {

    private final EvidenceHandler evidence;
    private final TenantDirectory tenants;

    BundleExport(EvidenceHandler evidence, TenantDirectory tenants) {
        this.evidence = evidence;
        this.tenants = tenants;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> request.formData().flatMap(form -> {
            String tenant = form.getFirst("tenant");
            ApiException refused =
                    BundleAccess.refusal(who, tenant == null || tenant.isBlank() ? null : tenant.trim(), tenants);
            if (refused != null) {
                return ConsolePages.page(
                        request,
                        who,
                        "Evidence bundle",
                        "Requests",
                        "<p class=\"error\" " + "id=\"refusal\">" + Html.text(refused.getMessage()) + "</p>",
                        HttpStatus.FORBIDDEN);
            }
            request.exchange().getAttributes().put(AdminActor.ATTRIBUTE, who.actor());
            return evidence.bundle(request)
                    .onErrorResume(
                            ApiException.class,
                            e -> ConsolePages.page(
                                    request,
                                    who,
                                    "Evidence bundle",
                                    "Requests",
                                    "<p class=\"error\">" + Html.text(e.getMessage()) + "</p>",
                                    e.status()));
        }));
    }
}
