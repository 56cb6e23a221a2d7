package dev.warden.gateway.guard;

import dev.warden.guard.embedded.EncoderLoad;
import dev.warden.guard.embedded.SharedEncoder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The encoder queue in Micrometer: {@code warden.guard.encoder.queue.windows}, {@code .queue.backlog} and
 * {@code .saturated} (seconds) gauges, {@code .wait} (enqueue to first window started) timer, and counters of
 * encoded windows, batches, refused texts and cancelled windows. No tenant tag: the queue is one resource.
 */
final class EncoderMetrics {

    private EncoderMetrics() {}

    static void bind(SharedEncoder encoder, MeterRegistry registry) {
        gauge(
                registry,
                encoder,
                "warden.guard.encoder.queue.windows",
                "windows waiting to be encoded",
                l -> l.queuedWindows());
        gauge(
                registry,
                encoder,
                "warden.guard.encoder.queue.tenants",
                "tenants with windows waiting",
                l -> l.tenantsWaiting());
        gauge(
                registry,
                encoder,
                "warden.guard.encoder.queue.backlog.seconds",
                "queued work in encoder time",
                l -> l.backlog().toNanos() / 1e9);
        gauge(
                registry,
                encoder,
                "warden.guard.encoder.saturated.seconds",
                "how long the backlog has stayed above the saturation threshold",
                l -> l.saturatedFor().toNanos() / 1e9);
        counter(registry, encoder, "warden.guard.encoder.windows.encoded", "windows encoded", l -> l.encodedWindows());
        counter(registry, encoder, "warden.guard.encoder.batches", "encoder batches run", l -> l.batches());
        counter(
                registry,
                encoder,
                "warden.guard.encoder.rejected",
                "texts refused: queue or tenant share full",
                l -> l.rejectedTexts());
        counter(
                registry,
                encoder,
                "warden.guard.encoder.windows.cancelled",
                "queued windows dropped because their request was cancelled",
                l -> l.cancelledWindows());
        Timer wait = Timer.builder("warden.guard.encoder.wait")
                .description("time a text waits in the encoder queue before its first window runs")
                .publishPercentileHistogram()
                .register(registry);
        encoder.queue().observeWaits(nanos -> wait.record(nanos, TimeUnit.NANOSECONDS));
    }

    private static void gauge(
            MeterRegistry registry,
            SharedEncoder encoder,
            String name,
            String help,
            ToDoubleFunction<EncoderLoad> value) {
        Gauge.builder(name, encoder, e -> value.applyAsDouble(e.load()))
                .description(help)
                .register(registry);
    }

    private static void counter(
            MeterRegistry registry,
            SharedEncoder encoder,
            String name,
            String help,
            ToDoubleFunction<EncoderLoad> value) {
        FunctionCounter.builder(name, encoder, e -> value.applyAsDouble(e.load()))
                .description(help)
                .register(registry);
    }
}
