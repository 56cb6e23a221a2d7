package dev.warden.gateway.telemetry;

import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ServedModel;
import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.remote.RemoteEngine;
import dev.warden.inference.remote.ReplicaStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * What each model's engine holds, by {@code model}: {@code warden.engine.slots} (generations that can run at once:
 * llama.cpp slots, or a remote model's pooled connections over all replicas), {@code warden.engine.slots.busy}
 * (running now), {@code warden.engine.queue} (waiting for a slot or a connection), and for a remote model the state
 * of each replica's circuit breaker, {@code warden.engine.breaker.state} (1 for the state it is in, 0 for the
 * others, as Resilience4j's own gauges do).
 */
@Component
public final class EngineMetrics {

    private static final List<String> BREAKER_STATES =
            List.of("CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED", "METRICS_ONLY");

    public EngineMetrics(ModelCatalog catalog, MeterRegistry registry) {
        for (ServedModel model : catalog.all()) {
            if (model.engine() instanceof LlamaCppEngine engine) {
                int slots = engine.settings().parallelSlots();
                gauge(registry, model, "warden.engine.slots", "generations that can run at once", engine, e -> slots);
                gauge(
                        registry,
                        model,
                        "warden.engine.slots.busy",
                        "generations running now",
                        engine,
                        e -> e.activeGenerations());
                gauge(
                        registry,
                        model,
                        "warden.engine.queue",
                        "generations waiting for a slot",
                        engine,
                        e -> e.queuedRequests());
            } else if (model.engine() instanceof RemoteEngine engine) {
                int slots = engine.settings().maxConnections()
                        * engine.settings().replicas().size();
                gauge(registry, model, "warden.engine.slots", "generations that can run at once", engine, e -> slots);
                gauge(
                        registry,
                        model,
                        "warden.engine.slots.busy",
                        "generations running now",
                        engine,
                        e -> Math.min(slots, e.activeRequests()));
                gauge(
                        registry,
                        model,
                        "warden.engine.queue",
                        "generations waiting for a pooled connection",
                        engine,
                        e -> Math.max(0, e.activeRequests() - slots));
                for (ReplicaStatus replica : engine.replicaStatus()) {
                    for (String state : BREAKER_STATES) {
                        Gauge.builder("warden.engine.breaker.state", engine, e -> inState(e, replica.baseUrl(), state))
                                .description("1 while the replica's circuit breaker is in this state")
                                .tags("model", model.name(), "replica", replica.baseUrl(), "state", state.toLowerCase())
                                .register(registry);
                    }
                }
            }
        }
    }

    private static double inState(RemoteEngine engine, String replica, String state) {
        return engine.replicaStatus().stream()
                        .anyMatch(r ->
                                r.baseUrl().equals(replica) && r.circuitState().equals(state))
                ? 1
                : 0;
    }

    private static <T> void gauge(
            MeterRegistry registry, ServedModel model, String name, String help, T engine, ToDoubleFunction<T> value) {
        Gauge.builder(name, engine, value)
                .description(help)
                .tag("model", model.name())
                .register(registry);
    }
}
