package dev.warden.gateway.route;

import dev.warden.gateway.openai.JsonBody;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.GenerationFlow;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ServedModel;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAI-compatible endpoints. */
public class OpenAiHandler {

    private final ModelCatalog catalog;
    private final RequestBodies bodies;
    private final GenerationFlow flow;

    public OpenAiHandler(ModelCatalog catalog, RequestBodies bodies, GenerationFlow flow) {
        this.catalog = catalog;
        this.bodies = bodies;
        this.flow = flow;
    }

    public Mono<ServerResponse> chatCompletions(ServerRequest request) {
        return bodies.json(request).map(OpenAiRequests::chat)
                .flatMap(chat -> flow.run(request, GenerationCall.of(chat)));
    }

    public Mono<ServerResponse> completions(ServerRequest request) {
        return bodies.json(request).map(OpenAiRequests::completion)
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
                .orElseGet(() -> Mono.error(ApiErrors.modelNotFound("The model '" + name + "' does not exist on this gateway")));
    }


    /** A known path with the wrong method is 405; anything else under /v1 is 404, both in OpenAI's shape. */
    public Mono<ServerResponse> unknown(ServerRequest request) {
        String path = request.path();
        boolean known = path.equals("/v1/chat/completions") || path.equals("/v1/completions")
                || path.equals("/v1/models") || path.startsWith("/v1/models/") || path.equals("/v1/moderations")
                || path.equals("/v1/safety/run-shield");
        if (known) {
            return Mono.error(ApiErrors.methodNotAllowed("method " + request.method() + " is not allowed on " + path));
        }
        return Mono.error(ApiErrors.endpointNotFound("no such endpoint: " + path));
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
