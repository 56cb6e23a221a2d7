package dev.warden.gateway.models;

import dev.warden.gateway.api.ApiErrors;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The models this gateway serves, by the name clients send. */
public final class ModelCatalog implements AutoCloseable {

    public static final String HOW_TO_ADD = "No model is configured. Put Meta's Llama-3.1-8B-Instruct GGUF at "
            + "models/Llama-3.1-8B-Instruct-Q4_K_M.gguf (or set warden.models[0].llama-cpp.gguf), or point "
            + "warden.models[] at an OpenAI-compatible server (engine: remote, remote.urls); see README, 'Models'.";

    private final Map<String, ServedModel> models;

    public ModelCatalog(Collection<ServedModel> models) {
        Map<String, ServedModel> byName = new LinkedHashMap<>();
        for (ServedModel m : models) {
            if (byName.putIfAbsent(m.name(), m) != null) {
                throw new IllegalArgumentException("model '" + m.name() + "' is configured twice");
            }
        }
        this.models = Collections.unmodifiableMap(byName);
    }

    public Collection<ServedModel> all() {
        return models.values();
    }

    /** The model a request names, ready to serve, or the error the client should get. */
    public ServedModel require(String name) {
        ServedModel model = models.get(name);
        if (model == null) {
            if (models.values().stream().noneMatch(ServedModel::ready)) {
                throw ApiErrors.noModelConfigured(HOW_TO_ADD);
            }
            throw ApiErrors.modelNotFound(
                    "The model '" + name + "' does not exist on this gateway; GET /v1/models lists the models "
                            + "it serves: " + String.join(", ", models.keySet()));
        }
        if (!model.ready()) {
            throw ApiErrors.modelUnavailable(model.unavailable());
        }
        return model;
    }

    @Override
    public void close() {
        for (ServedModel m : models.values()) {
            if (m.engine() != null) {
                m.engine().close();
            }
        }
    }
}
