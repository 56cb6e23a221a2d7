package dev.warden.gateway.models;

import dev.warden.inference.InferenceEngine;
import dev.warden.inference.ModelDescriptor;
import org.springframework.stereotype.Component;

/** Starts the engine a model's configuration names; a model that cannot start is served as unavailable. */
@Component
public class EngineFactory {

    public ServedModel open(ModelProperties model) {
        if (model.name() == null || model.name().isBlank()) {
            throw new IllegalArgumentException("every entry of warden.models needs a name");
        }
        String engine = model.engine() == null ? "" : model.engine();
        ModelDescriptor descriptor = new ModelDescriptor(model.name(), engine,
                model.contextLength() == null ? 8192 : model.contextLength(),
                model.licence() == null ? "llama-3.1" : model.licence());
        try {
            InferenceEngine started = start(engine, model);
            return new ServedModel(descriptor, started, null);
        } catch (UnavailableModelException e) {
            return new ServedModel(descriptor, null, e.getMessage());
        }
    }

    private InferenceEngine start(String engine, ModelProperties model) {
        switch (engine) {
            case "llama-cpp", "remote" -> throw new UnavailableModelException("engine " + engine + " pending");
            default -> throw new IllegalArgumentException("model '" + model.name() + "': unknown engine '"
                    + engine + "'; use llama-cpp or remote");
        }
    }

    /** The model is configured correctly but cannot be served yet, e.g. its weights are not in place. */
    static final class UnavailableModelException extends RuntimeException {
        UnavailableModelException(String message) {
            super(message);
        }
    }
}
