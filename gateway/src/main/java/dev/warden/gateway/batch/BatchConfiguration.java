package dev.warden.gateway.batch;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.warden.gateway.ModelProperties;
import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.route.AuditGatewayFilterFactory;
import dev.warden.gateway.route.GenerateGatewayFilterFactory;
import dev.warden.gateway.route.InputBudgetGatewayFilterFactory;
import dev.warden.gateway.route.InputGuardGatewayFilterFactory;
import dev.warden.gateway.route.LicenceGatewayFilterFactory;
import dev.warden.gateway.route.OutputGuardGatewayFilterFactory;
import dev.warden.gateway.route.RateLimitGatewayFilterFactory;
import dev.warden.gateway.route.ReadGenerationGatewayFilterFactory;
import dev.warden.policy.licence.BatchLicence;
import dev.warden.policy.licence.LicenceCheck;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.OptionalInt;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The Files and Batch API: stores under the data directory, the background runner and the routes. */
@Configuration(proxyBeanMethods = false)
public class BatchConfiguration {

    /** What dates files and batches and decides their expiry; a test may bring its own {@link Clock} bean. */
    private static Clock clock(ObjectProvider<Clock> clock) {
        return clock.getIfAvailable(Clock::systemUTC);
    }

    @Bean
    FileStore batchFileStore(
            WardenProperties warden, BatchProperties properties, TenantDirectory tenants, ObjectProvider<Clock> clock) {
        // read at each use: a tenants-file reload that shortens a tenant's content retention applies to new files
        return new FileStore(
                warden.dataDir().resolve("files"),
                properties.retention(),
                tenant -> tenants.tenant(tenant)
                        .map(t -> t.policy().audit().chosenContentRetentionDays())
                        .orElse(OptionalInt.empty()),
                clock(clock));
    }

    @Bean
    BatchLineCall batchLineCall(
            ReadGenerationGatewayFilterFactory read,
            AuditGatewayFilterFactory audit,
            LicenceGatewayFilterFactory licence,
            InputBudgetGatewayFilterFactory budget,
            RateLimitGatewayFilterFactory limits,
            InputGuardGatewayFilterFactory input,
            OutputGuardGatewayFilterFactory output,
            GenerateGatewayFilterFactory generate,
            ServerCodecConfigurer codecs) {
        return new BatchLineCall(read, audit, licence, budget, limits, input, output, generate, codecs);
    }

    @Bean
    BatchRunner batchRunner(
            WardenProperties warden,
            BatchProperties properties,
            FileStore files,
            BatchLineCall lines,
            TenantDirectory tenants,
            AuditTrail trail,
            ObjectProvider<Clock> clock) {
        return new BatchRunner(
                new BatchStore(warden.dataDir().resolve("batches")),
                files,
                lines,
                tenants,
                new BatchAudit(trail),
                properties,
                permits(warden, properties),
                clock(clock));
    }

    /** Whether a stored file is a batch's input or being deleted, decided one at a time. */
    @Bean
    FileClaims batchFileClaims(BatchRunner runner) {
        return new FileClaims(runner::inputInUse);
    }

    @Bean
    RetentionSweeper batchRetentionSweeper(
            FileStore files,
            FileClaims claims,
            BatchRunner runner,
            AuditTrail trail,
            TenantDirectory tenants,
            BatchProperties properties,
            ObjectProvider<Clock> clock,
            MeterRegistry metrics) {
        return new RetentionSweeper(
                files, claims, runner, new BatchAudit(trail), tenants, properties.retention(), clock(clock), metrics);
    }

    /**
     * Lines of one model a gateway runs at once for batches: the configured share of the model's capacity (its
     * llama.cpp slots; for a remote model its connections to all replicas), at least one, at most
     * {@code max-concurrent-lines}.
     */
    static Function<String, Integer> permits(WardenProperties warden, BatchProperties properties) {
        return model -> {
            int capacity = warden.models().stream()
                    .filter(m -> model.equals(m.name()))
                    .findFirst()
                    .map(BatchConfiguration::capacity)
                    .orElse(1);
            int share = (int) Math.floor(capacity * properties.engineShare());
            return Math.max(1, Math.min(properties.maxConcurrentLines(), share));
        };
    }

    private static int capacity(ModelProperties model) {
        if (model.llamaCpp() != null) {
            return model.llamaCpp().slots() == null ? 1 : model.llamaCpp().slots();
        }
        if (model.remote() != null && model.remote().urls() != null) {
            int perReplica = model.remote().maxConnections() == null
                    ? 500
                    : model.remote().maxConnections();
            return perReplica * Math.max(1, model.remote().urls().size());
        }
        return 1;
    }

    @Bean
    FilesHandler filesHandler(
            FileStore files,
            FileClaims claims,
            AuditTrail trail,
            BatchProperties properties,
            ObjectProvider<Clock> clock) {
        return new FilesHandler(files, claims, new BatchAudit(trail), properties, clock(clock));
    }

    @Bean
    BatchesHandler batchesHandler(
            FileStore files,
            FileClaims claims,
            BatchRunner runner,
            AuditTrail trail,
            LicenceCheck licences,
            ModelCatalog catalog,
            RequestBodies bodies,
            BatchProperties properties,
            ObjectProvider<Clock> clock) {
        return new BatchesHandler(
                files,
                claims,
                runner,
                new BatchAudit(trail),
                new BatchLicence(licences),
                catalog,
                bodies,
                properties,
                clock(clock));
    }

    /**
     * The Files and Batch API's handlers by method and path. Not a bean of its own: only the {@code BatchApi} stage
     * of the {@code files-and-batches} route runs it, after {@code Authenticate}.
     */
    static RouterFunction<ServerResponse> router(FilesHandler files, BatchesHandler batches) {
        return RouterFunctions.route()
                .route(POST("/v1/files"), files::upload)
                .route(GET("/v1/files"), files::list)
                .route(GET("/v1/files/{id}"), files::get)
                .route(DELETE("/v1/files/{id}"), files::delete)
                .route(GET("/v1/files/{id}/content"), files::content)
                .route(POST("/v1/batches"), batches::create)
                .route(GET("/v1/batches"), batches::list)
                .route(GET("/v1/batches/{id}"), batches::get)
                .route(POST("/v1/batches/{id}/cancel"), batches::cancel)
                .route(
                        path("/v1/files")
                                .or(path("/v1/files/{id}"))
                                .or(path("/v1/files/{id}/content"))
                                .or(path("/v1/batches"))
                                .or(path("/v1/batches/{id}"))
                                .or(path("/v1/batches/{id}/cancel")),
                        request -> Mono.error(ApiErrors.methodNotAllowed(
                                "method " + request.method() + " is not allowed on " + request.path())))
                .build();
    }
}
