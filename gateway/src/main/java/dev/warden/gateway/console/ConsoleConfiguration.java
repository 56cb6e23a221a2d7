package dev.warden.gateway.console;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.warden.gateway.admin.AdminActions;
import dev.warden.gateway.admin.AdminProperties;
import dev.warden.gateway.admin.AuditHandler;
import dev.warden.gateway.admin.EvidenceHandler;
import dev.warden.gateway.audit.AuditProperties;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.tenant.TenantDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The console's pages under {@code /console}: server-rendered HTML, no script, one stylesheet. Off (404 for every
 * console path) when the admin API is off or {@code warden.console.enabled} is false.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleConfiguration {

    @Bean
    RouterFunction<ServerResponse> consoleRouter(
            AdminProperties admin,
            ConsoleProperties console,
            AuditLog auditLog,
            AdminActions actions,
            AuditHandler audit,
            TenantDirectory tenants,
            AuditProperties auditProperties,
            EvidenceHandler evidence) {
        if (!admin.enabled() || !console.enabled()) {
            return RouterFunctions.route(
                    path("/console/**").or(path("/console")),
                    request -> ConsolePages.respond(
                            "<!DOCTYPE html><title>Not found</title><p>The console is off " + "on this gateway.</p>",
                            HttpStatus.NOT_FOUND));
        }
        OverviewPage overview = new OverviewPage(auditLog.store());
        ExplorerPage explorer = new ExplorerPage(auditLog.store());
        RecordPage record = new RecordPage(auditLog.store(), actions);
        ChainsPage chains = new ChainsPage(auditLog, actions);
        RetentionPage retention = new RetentionPage(tenants, audit, auditProperties.authFailureRetentionDays());
        ConsoleExport export = new ConsoleExport(auditLog.store(), actions);
        LoginPage login = new LoginPage();
        ActionsPage adminActions = new ActionsPage(auditLog.store());
        BundleExport bundle = new BundleExport(evidence, tenants);
        ClassPathResource css = new ClassPathResource("console/console.css");
        return RouterFunctions.route()
                .GET("/console", overview::handle)
                .GET("/console/", overview::handle)
                .GET("/console/login", login::handle)
                .GET("/console/console.css", request -> ServerResponse.ok()
                        .contentType(MediaType.parseMediaType("text/css;charset=UTF-8"))
                        .bodyValue(css))
                .GET("/console/requests", explorer::handle)
                .GET("/console/records/{requestId}", record::handle)
                .GET("/console/export", export::handle)
                .POST("/console/export/bundle", bundle::handle)
                .GET("/console/actions", adminActions::handle)
                .GET("/console/chains", chains::handle)
                .POST("/console/chains/verify", chains::verify)
                .GET("/console/retention", retention::handle)
                .POST("/console/retention/run", retention::run)
                .route(
                        path("/console/**"),
                        request -> ConsolePages.respond(
                                "<!DOCTYPE html><title>Not found</title>"
                                        + "<p>No such console page. <a href=\"/console\">Overview</a></p>",
                                HttpStatus.NOT_FOUND))
                .build();
    }
}
