package dev.warden.gateway.models;

import dev.warden.inference.InferenceEngine;
import dev.warden.inference.ModelDescriptor;

/**
 * A configured model and its engine. {@code engine} is null when the model could not be started (e.g. its GGUF
 * file is missing); {@code unavailable} then says why and how to fix it, and requests get 503 with that text.
 */
public record ServedModel(ModelDescriptor descriptor, InferenceEngine engine, String unavailable) {

    public String name() {
        return descriptor.servedName();
    }

    public boolean ready() {
        return engine != null;
    }
}
