package dev.warden.gateway.telemetry;

import dev.warden.gateway.flow.CallObserver;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.Outcome;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The OpenTelemetry GenAI metrics of each generation request (semantic conventions, "Generative AI metrics"), with
 * the conventions' names, attributes and bucket boundaries, plus the tenant:
 * <ul>
 * <li>{@code gen_ai.client.token.usage} by {@code gen_ai.token.type} ({@code input}, {@code output}): the engine's
 * token counts; the gateway is the client of its model server;</li>
 * <li>{@code gen_ai.server.request.duration}: request start to its end (the last byte for a stream), by outcome;</li>
 * <li>{@code gen_ai.server.time_to_first_token}: request start to the first token released to the client (streams;
 * with hold-back this includes the first window's check, which is what the client waits for);</li>
 * <li>{@code gen_ai.server.time_per_output_token}: first to last released token over the tokens between them.</li>
 * </ul>
 * Requests that generate nothing (moderation, shields) carry no operation and are not counted here.
 */
@Component
public final class GenAiMetrics implements CallObserver {

    static final String OPERATION = "gen_ai.operation.name";
    static final String MODEL = "gen_ai.request.model";
    static final String TOKEN_TYPE = "gen_ai.token.type";
    static final String TENANT = "tenant";

    /** The conventions' advised boundaries. */
    private static final double[] TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
    };

    private static final double[] DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };
    private static final double[] TTFT_BUCKETS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
    };
    private static final double[] TPOT_BUCKETS = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5
    };

    private final MeterRegistry registry;
    /** Meters by name and tags: looked up once, not rebuilt on every request. */
    private final ConcurrentMap<MeterKey, Object> meters = new ConcurrentHashMap<>();

    /** Each outcome's label, made once rather than lower-cased on every request. */
    private static final java.util.Map<Outcome, String> OUTCOMES = java.util.Arrays.stream(Outcome.values())
            .collect(java.util.stream.Collectors.toMap(
                    o -> o,
                    o -> o.name().toLowerCase(java.util.Locale.ROOT),
                    (a, b) -> a,
                    () -> new java.util.EnumMap<>(Outcome.class)));

    /**
     * A meter's name and labels as a map key: built on every request, so a small record whose hash combines the
     * labels' own (cached) hashes, not a concatenated string hashed anew each time.
     */
    private record MeterKey(String name, String operation, String model, String tenant, String extra) {}

    public GenAiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void ended(CallRecord call, Outcome outcome, int httpStatus) {
        String operation = call.operation();
        if (operation == null || call.model() == null) {
            return;
        }
        String model = call.model();
        String tenant = call.principal().tenantId();
        long now = System.nanoTime();
        duration(operation, model, tenant, outcome).record(now - call.startNanos(), TimeUnit.NANOSECONDS);
        Usage usage = call.usage();
        if (usage != null) {
            tokens(operation, model, tenant, "input").record(usage.promptTokens());
            tokens(operation, model, tenant, "output").record(usage.completionTokens());
        }
        if (call.firstReleaseNanos() != 0) {
            timer(
                            "gen_ai.server.time_to_first_token",
                            "Time to the first token released to the client",
                            TTFT_BUCKETS,
                            operation,
                            model,
                            tenant)
                    .record(call.firstReleaseNanos() - call.startNanos(), TimeUnit.NANOSECONDS);
            if (call.tokensReleased() > 1) {
                long per = (call.lastReleaseNanos() - call.firstReleaseNanos()) / (call.tokensReleased() - 1);
                timer(
                                "gen_ai.server.time_per_output_token",
                                "Time per output token after the first, as released to the client",
                                TPOT_BUCKETS,
                                operation,
                                model,
                                tenant)
                        .record(per, TimeUnit.NANOSECONDS);
            }
        }
    }

    private Timer duration(String operation, String model, String tenant, Outcome outcome) {
        String o = OUTCOMES.get(outcome);
        return (Timer) meters.computeIfAbsent(
                new MeterKey("d", operation, model, tenant, o), key -> Timer.builder("gen_ai.server.request.duration")
                        .description("Generation requests, from arrival to their last byte, by outcome")
                        .tags(OPERATION, operation, MODEL, model, TENANT, tenant, "outcome", o)
                        .serviceLevelObjectives(durations(DURATION_BUCKETS))
                        .register(registry));
    }

    private Timer timer(String name, String help, double[] buckets, String operation, String model, String tenant) {
        return (Timer)
                meters.computeIfAbsent(new MeterKey(name, operation, model, tenant, null), key -> Timer.builder(name)
                        .description(help)
                        .tags(OPERATION, operation, MODEL, model, TENANT, tenant)
                        .serviceLevelObjectives(durations(buckets))
                        .register(registry));
    }

    private DistributionSummary tokens(String operation, String model, String tenant, String type) {
        return (DistributionSummary) meters.computeIfAbsent(
                new MeterKey("t", operation, model, tenant, type),
                key -> DistributionSummary.builder("gen_ai.client.token.usage")
                        .description("Tokens per generation request, input (prompt) or output (completion)")
                        .tags(OPERATION, operation, MODEL, model, TENANT, tenant, TOKEN_TYPE, type)
                        .serviceLevelObjectives(TOKEN_BUCKETS)
                        .register(registry));
    }

    private static Duration[] durations(double[] seconds) {
        return Arrays.stream(seconds)
                .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
    }
}
