package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.web.RequestIds;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAI-compatible endpoints. */
public class OpenAiHandler {

    private final ModelCatalog catalog;
    private final RequestBodies bodies;
    private final GenerationFlow flow;
    private final ModelFeatures features;

    public OpenAiHandler(ModelCatalog catalog, RequestBodies bodies, GenerationFlow flow, ModelFeatures features) {
        this.catalog = catalog;
        this.bodies = bodies;
        this.flow = flow;
        this.features = features;
    }

    public Mono<ServerResponse> chatCompletions(ServerRequest request) {
        return bodies.json(request).map(OpenAiRequests::chat).map(features::shape)
                .flatMap(chat -> flow.run(request, GenerationCall.of(chat)));
    }

    public Mono<ServerResponse> completions(ServerRequest request) {
        return bodies.json(request).map(OpenAiRequests::completion).map(features::shape)
                .flatMap(completion -> flow.run(request, GenerationCall.of(completion)));
    }

    public Mono<ServerResponse> models(ServerRequest request) {
        ObjectNode root = JsonBody.JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ServedModel m : catalog.all()) {
            data.add(model(m));
        }
        return json(root);
    }

    public Mono<ServerResponse> model(ServerRequest request) {
        String name = request.pathVariable("model");
        return catalog.all().stream().filter(m -> m.name().equals(name)).findFirst()
                .map(m -> json(model(m)))
                .orElseGet(() -> Mono.error(new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error",
                        "model_not_found", "model", "The model '" + name + "' does not exist on this gateway")));
    }


    /** A known path with the wrong method is 405; anything else under /v1 is 404, both in OpenAI's shape. */
    public Mono<ServerResponse> unknown(ServerRequest request) {
        String path = request.path();
        boolean known = path.equals("/v1/chat/completions") || path.equals("/v1/completions")
                || path.equals("/v1/models") || path.startsWith("/v1/models/") || path.equals("/v1/moderations")
                || path.equals("/v1/safety/run-shield");
        if (known) {
            return Mono.error(new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error",
                    "method_not_allowed", null, "method " + request.method() + " is not allowed on " + path));
        }
        return Mono.error(new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "not_found", null,
                "no such endpoint: " + path));
    }

    private static ObjectNode model(ServedModel m) {
        ObjectNode node = JsonBody.JSON.createObjectNode();
        node.put("id", m.name());
        node.put("object", "model");
        node.put("created", 0);
        node.put("owned_by", "warden");
        node.put("engine", m.descriptor().engineKind());
        node.put("context_length", m.descriptor().contextLength());
        node.put("licence", m.descriptor().licence());
        node.put("ready", m.ready());
        return node;
    }

    private static Mono<ServerResponse> json(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(JsonBody.JSON.writeValueAsBytes(body));
    }

}
