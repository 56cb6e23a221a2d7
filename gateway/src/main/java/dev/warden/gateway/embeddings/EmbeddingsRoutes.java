package dev.warden.gateway.embeddings;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.openai.RequestBodies;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** {@code POST /v1/embeddings}; ahead of the OpenAI router, whose catch-all answers 404 for unknown /v1 paths. */
@Configuration(proxyBeanMethods = false)
public class EmbeddingsRoutes {

    @Bean
    EmbeddingsHandler embeddingsHandler(ModelCatalog catalog, ModelFeatures features, WardenProperties properties,
                                        Guards guards, RateLimitStage limits, AuditTrail audit) {
        return new EmbeddingsHandler(catalog, features, new RequestBodies(properties.maxBodySize().toBytes()),
                guards, limits, audit);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> embeddingsRouter(EmbeddingsHandler handler) {
        return RouterFunctions.route().route(POST("/v1/embeddings"), handler::embeddings).build();
    }
}
