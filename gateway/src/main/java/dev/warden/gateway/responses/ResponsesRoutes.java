package dev.warden.gateway.responses;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import dev.warden.gateway.WardenProperties;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.openai.RequestBodies;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The Responses API routes; ahead of the OpenAI router, whose catch-all answers 404 for unknown /v1 paths. */
@Configuration(proxyBeanMethods = false)
public class ResponsesRoutes {

    @Bean
    StoredResponses storedResponses(ResponsesProperties properties) {
        return new StoredResponses(properties.maxStored(), properties.retention());
    }

    @Bean
    ResponsesHandler responsesHandler(WardenProperties properties, GenerationFlow flow, StoredResponses stored,
                                      ModelFeatures features) {
        return new ResponsesHandler(new RequestBodies(properties.maxBodySize().toBytes()), flow, stored, features);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> responsesRouter(ResponsesHandler handler) {
        return RouterFunctions.route()
                .route(POST("/v1/responses"), handler::create)
                .route(GET("/v1/responses/{id}"), handler::retrieve)
                .route(DELETE("/v1/responses/{id}"), handler::delete)
                .build();
    }
}
