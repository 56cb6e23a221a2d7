package dev.warden.gateway.route;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.warden.gateway.openai.JsonBody;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.gateway.guard.EmbeddedClassifierSource;
import dev.warden.gateway.moderation.ModerationHandler;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.guard.Calibrated;
import dev.warden.guard.OperatingPoint;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
public class OpenAiRoutes {

    @Bean
    OpenAiHandler openAiHandler(ModelCatalog catalog, WardenProperties properties, GenerationFlow flow) {
        return new OpenAiHandler(catalog, new RequestBodies(properties.maxBodySize().toBytes()), flow);
    }

    @Bean
    ModerationHandler moderationHandler(Guards guards, WardenProperties properties, RateLimitStage limits,
                                        AuditTrail audit, ObjectProvider<EmbeddedClassifierSource> embedded) {
        Map<String, OperatingPoint> points = new HashMap<>();
        embedded.orderedStream().flatMap(s -> s.classifiers().stream())
                .filter(c -> c instanceof Calibrated)
                .forEach(c -> points.putAll(((Calibrated) c).operatingPoints()));
        return new ModerationHandler(guards, new RequestBodies(properties.maxBodySize().toBytes()), limits, audit,
                points);
    }

    @Bean
    RouterFunction<ServerResponse> openAiRouter(OpenAiHandler handler, ModerationHandler moderation) {
        return RouterFunctions.route()
                .route(POST("/v1/chat/completions"), handler::chatCompletions)
                .route(POST("/v1/completions"), handler::completions)
                .route(GET("/v1/models"), handler::models)
                .route(GET("/v1/models/{model}"), handler::model)
                .route(POST("/v1/moderations"), moderation::moderations)
                .route(POST("/v1/safety/run-shield"), moderation::runShield)
                .route(path("/v1/**"), handler::unknown)
                .build();
    }
}
