package dev.warden.gateway.models;

import dev.warden.gateway.ModelProperties;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.ModelDescriptor;
import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.llamacpp.LlamaCppSettings;
import dev.warden.inference.remote.RemoteEngine;
import dev.warden.inference.remote.RemoteEngineSettings;
import dev.warden.inference.remote.RemoteEngineSettings.Health;
import dev.warden.inference.remote.RemoteEngineSettings.Timeouts;
import java.nio.file.Files;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.stereotype.Component;

/** Starts the engine a model's configuration names; a model that cannot start is served as unavailable. */
@Component
public class EngineFactory {

    private final ReactorResourceFactory eventLoops;

    /**
     * @param eventLoops the context's Reactor Netty resources: remote engines run on its event loops, which the
     *     context disposes when it closes ({@code EventLoopsConfiguration}), never on the JVM's global ones
     */
    public EngineFactory(ReactorResourceFactory eventLoops) {
        this.eventLoops = eventLoops;
    }

    public ServedModel open(ModelProperties model) {
        if (model.name() == null || model.name().isBlank()) {
            throw new IllegalArgumentException("every entry of warden.models needs a name");
        }
        String engine = model.engine() == null ? "" : model.engine();
        ModelDescriptor descriptor = new ModelDescriptor(
                model.name(),
                engine,
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
            case "remote" -> {
                return new RemoteEngine(remoteSettings(model), eventLoops.getLoopResources());
            }
            case "llama-cpp" -> {
                return new LlamaCppEngine(llamaCppSettings(model));
            }
            default ->
                throw new IllegalArgumentException(
                        "model '" + model.name() + "': unknown engine '" + engine + "'; use llama-cpp or remote");
        }
    }

    static LlamaCppSettings llamaCppSettings(ModelProperties model) {
        ModelProperties.LlamaCpp l = model.llamaCpp();
        if (l == null || l.gguf() == null) {
            throw new IllegalArgumentException("model '" + model.name() + "' (engine llama-cpp) needs llama-cpp.gguf");
        }
        if (!Files.isRegularFile(l.gguf())) {
            // Clients see this text (503): it names the setting, never the server's file system.
            org.slf4j.LoggerFactory.getLogger(EngineFactory.class)
                    .warn(
                            "model '{}': the GGUF file {} does not exist",
                            model.name(),
                            l.gguf().toAbsolutePath());
            throw new UnavailableModelException("the GGUF file of model '" + model.name() + "' (setting "
                    + "warden.models[].llama-cpp.gguf) does not exist on the gateway. Download Meta's "
                    + "Llama-3.1-8B-Instruct in GGUF form (any "
                    + "llama.cpp quantisation, e.g. Q4_K_M) and put it there, or change warden.models[].llama-cpp.gguf;"
                    + " see README, 'Models'.");
        }
        LlamaCppSettings d = LlamaCppSettings.of(l.gguf());
        return new LlamaCppSettings(
                l.gguf(),
                or(l.slots(), d.parallelSlots()),
                or(l.queue(), d.queueCapacity()),
                or(model.contextLength(), d.contextLength()),
                or(l.threads(), d.threads()),
                or(l.defaultMaxTokens(), d.defaultMaxTokens()));
    }

    static RemoteEngineSettings remoteSettings(ModelProperties model) {
        ModelProperties.Remote r = model.remote();
        if (r == null || r.urls() == null || r.urls().isEmpty()) {
            throw new IllegalArgumentException("model '" + model.name() + "' (engine remote) needs remote.urls");
        }
        RemoteEngineSettings settings = RemoteEngineSettings.of(model.name(), r.upstreamModel(), r.urls())
                .withApiKey(r.apiKey());
        Timeouts d = Timeouts.defaults();
        settings = settings.withTimeouts(new Timeouts(
                or(r.connectTimeout(), d.connect()),
                or(r.firstTokenTimeout(), d.firstToken()),
                or(r.idleTimeout(), d.idleGap()),
                or(r.responseTimeout(), d.response())));
        if (r.retries() != null) {
            settings = settings.withRetries(r.retries());
        }
        if (r.healthInterval() != null || r.healthPath() != null) {
            Health h = Health.defaults();
            settings = settings.withHealth(new Health(
                    or(r.healthInterval(), h.interval()),
                    r.healthPath() == null ? h.path() : r.healthPath(),
                    h.timeout()));
        }
        if (r.breaker() != null) {
            RemoteEngineSettings.Breaker b = RemoteEngineSettings.Breaker.defaults();
            ModelProperties.Breaker c = r.breaker();
            settings = settings.withBreaker(new RemoteEngineSettings.Breaker(
                    or(c.failureRatePercent(), b.failureRatePercent()),
                    or(c.slidingWindowCalls(), b.slidingWindowCalls()),
                    or(c.minimumCalls(), b.minimumCalls()),
                    or(c.waitInOpen(), b.waitInOpen()),
                    or(c.halfOpenCalls(), b.halfOpenCalls())));
        }
        if (r.maxConnections() != null) {
            settings = settings.withMaxConnections(r.maxConnections());
        }
        return settings;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** The model is configured correctly but cannot be served yet, e.g. its weights are not in place. */
    static final class UnavailableModelException extends RuntimeException {
        UnavailableModelException(String message) {
            super(message);
        }
    }
}
