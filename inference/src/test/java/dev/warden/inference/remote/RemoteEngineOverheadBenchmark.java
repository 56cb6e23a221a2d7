package dev.warden.inference.remote;

import dev.warden.inference.testing.ScriptedOpenAiServer;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * What the engine adds to a call: the same request against {@link ScriptedOpenAiServer#startFast()}, once through
 * a bare reactor-netty client and once through {@link RemoteEngine}, sequentially, reporting latency percentiles.
 * Not a test (timings belong here, not in assertions). Run from the repository root:
 * <pre>
 * .ci/bench inference dev.warden.inference.remote.RemoteEngineOverheadBenchmark [warmup] [measured]
 * </pre>
 */
public final class RemoteEngineOverheadBenchmark {

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        try (ScriptedOpenAiServer server = ScriptedOpenAiServer.startFast();
                RemoteEngine engine =
                        new RemoteEngine(RemoteEngineSettings.of("m", "fast-model", List.of(server.baseUrl()))
                                .withHealth(RemoteEngineSettings.Health.disabled()))) {
            ConnectionProvider pool = ConnectionProvider.create("bare", 16);
            HttpClient bare = HttpClient.create(pool)
                    .baseUrl(server.baseUrl())
                    .headers(h -> h.set("content-type", "application/json"));
            byte[] chatBody = Requests.JSON.writeValueAsBytes(
                    Requests.chat("Say hello", false).body());
            byte[] streamBody = Requests.JSON.writeValueAsBytes(
                    Requests.chat("Say hello", true).body().put("stream", true));

            Supplier<Object> bareChat = () -> bare.post()
                    .uri("/v1/chat/completions")
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(chatBody)))
                    .responseSingle((r, b) -> b.asByteArray())
                    .block();
            Supplier<Object> bareStream = () -> bare.post()
                    .uri("/v1/chat/completions")
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(streamBody)))
                    .responseContent()
                    .aggregate()
                    .asByteArray()
                    .block();
            Supplier<Object> engineChat =
                    () -> engine.chat(Requests.chat("Say hello", false)).block();
            Supplier<Object> engineStream =
                    () -> engine.streamChat(Requests.chat("Say hello", true)).blockLast();

            for (int round = 0; round < 2; round++) {
                report("bare   chat  ", run(bareChat, warmup, measured));
                report("engine chat  ", run(engineChat, warmup, measured));
                report("bare   stream", run(bareStream, warmup, measured));
                report("engine stream", run(engineStream, warmup, measured));
            }
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    private static long[] run(Supplier<Object> call, int warmup, int measured) {
        for (int i = 0; i < warmup; i++) {
            Objects.requireNonNull(call.get(), "a call answered nothing");
        }
        long[] nanos = new long[measured];
        for (int i = 0; i < measured; i++) {
            long t = System.nanoTime();
            Objects.requireNonNull(call.get(), "a call answered nothing");
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void report(String label, long[] sorted) {
        System.out.printf(
                "%s p50 %6.1f us  p90 %6.1f us  p99 %7.1f us%n",
                label,
                sorted[sorted.length / 2] / 1e3,
                sorted[sorted.length * 9 / 10] / 1e3,
                sorted[sorted.length * 99 / 100] / 1e3);
    }
}
