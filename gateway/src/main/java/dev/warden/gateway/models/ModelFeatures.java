package dev.warden.gateway.models;

import dev.warden.gateway.ModelProperties;
import dev.warden.gateway.api.ApiErrors;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each configured model's server is and offers beyond chat, from {@code warden.models[*].remote}: its
 * {@link EngineFields server kind} and whether it serves embeddings. A model not configured as remote is the
 * in-process engine: chat and completions only.
 */
public final class ModelFeatures {

    /** One model's features. */
    public record Features(EngineFields server, boolean embeddings) {}

    private static final Features IN_PROCESS = new Features(EngineFields.OPENAI, false);

    private final Map<String, Features> byModel = new HashMap<>();

    public ModelFeatures(List<ModelProperties> models) {
        for (ModelProperties model : models) {
            ModelProperties.Remote remote = model.remote();
            if (!"remote".equals(model.engine()) || remote == null) {
                continue;
            }
            byModel.put(
                    model.name(),
                    new Features(
                            EngineFields.parse(remote.server(), model.name()),
                            Boolean.TRUE.equals(remote.embeddings())));
        }
    }

    public Features of(String model) {
        return byModel.getOrDefault(model, IN_PROCESS);
    }

    /** The chat request with its forwarded body narrowed to what the model's server takes (or a 400). */
    public ChatRequest shape(ChatRequest chat) {
        ObjectNode body = shaped(chat.model(), chat.body());
        return body == chat.body()
                ? chat
                : new ChatRequest(
                        chat.model(),
                        chat.messages(),
                        chat.tools(),
                        chat.toolChoice(),
                        chat.params(),
                        chat.stream(),
                        chat.includeUsage(),
                        body);
    }

    /** The completion request with its forwarded body narrowed to what the model's server takes (or a 400). */
    public CompletionRequest shape(CompletionRequest completion) {
        ObjectNode body = shaped(completion.model(), completion.body());
        return body == completion.body()
                ? completion
                : new CompletionRequest(
                        completion.model(),
                        completion.prompt(),
                        completion.params(),
                        completion.stream(),
                        completion.includeUsage(),
                        body);
    }

    private ObjectNode shaped(String model, ObjectNode body) {
        EngineFields server = of(model).server();
        if (body == null || server == EngineFields.OPENAI || server == EngineFields.VLLM) {
            return body;
        }
        String refused = server.refusedField(body);
        if (refused != null) {
            throw ApiErrors.unsupportedParameter(
                    refused,
                    "'" + refused + "' is not supported by the " + server.wire() + " server behind model '" + model
                            + "'; remove it from the request");
        }
        return server.shape(body.deepCopy());
    }
}
