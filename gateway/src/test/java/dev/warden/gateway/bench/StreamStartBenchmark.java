package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantFileEditor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 12: how much a stream's start, length and pace change through the gateway, against the same upstream
 * called directly, in each streaming mode. The upstream streams {@code -Dbench.pieces} (20) pieces
 * {@code -Dbench.gapMs} (20) ms apart, as a remote model. Rows:
 * <ul>
 *   <li>{@code unjudged}: a gateway with no output classifier (rules and embedded classifiers off), tenant
 *       {@code local} (hold-back by default): should pass chunk by chunk;</li>
 *   <li>{@code floor} (only when named in {@code -Dbench.rows}): not the gateway but {@link BareForwarder#streaming}, the
 *       least any streaming JVM hop costs here;</li>
 *   <li>{@code hold-back}, {@code optimistic}, {@code buffer}: the default gateway (content rules and the embedded
 *       classifiers on), tenants with the default windows in each mode.</li>
 * </ul>
 * Every request has its own prompt and its own reply text, so the guards' verdict cache never answers. Per row:
 * {@code -Dbench.warmup} (2,000 for the unjudged row, 200 for the others, whose every request costs several
 * classifier passes) unmeasured requests per path with the same reply streamed without gaps, then
 * {@code -Dbench.requests} (40) per path, direct and through the gateway alternating. Figures: time to the first
 * content byte (p50 of each path, and p50 of the paired differences), time to the end of the stream, and the
 * decode rate (tokens after the first / time from first to last content); each gateway figure is compared with the
 * direct one of the same row and run. The client is {@link SseSocketClient}.
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.StreamStartBenchmark}.
 */
public final class StreamStartBenchmark {

    private static final int PIECES = Integer.getInteger("bench.pieces", 20);
    private static final Duration GAP = Duration.ofMillis(Long.getLong("bench.gapMs", 20));

    record Sample(double firstLine, double firstContent, double lastContent, double end, int contents) {
        double rate() {
            return (contents - 1) * 1000.0 / (lastContent - firstContent);
        }
    }

    public static void main(String[] args) throws Exception {
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()) {
            TestTenants tenants = TestTenants.create();
            Files.writeString(
                    tenants.file,
                    TestTenants.tenant(
                                    "bench-optimistic", "Optimistic, default windows", "streaming:\n  mode: optimistic")
                            + TestTenants.tenant(
                                    "bench-buffer", "Buffer, default windows", "streaming:\n  mode: buffer"),
                    StandardOpenOption.APPEND);
            TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.load(TestTenants.CONFIG.resolve("licences")));
            String optimisticKey = editor.createKey(tenants.file, "bench-optimistic", "bench");
            String bufferKey = editor.createKey(tenants.file, "bench-buffer", "bench");
            List<String> only = List.of(System.getProperty("bench.rows", "unjudged,hold-back,optimistic,buffer")
                    .split(","));

            System.out.printf(
                    "upstream: %d pieces %d ms apart; load average %s%n", PIECES, GAP.toMillis(), loadAverage());
            URI direct = URI.create(upstream.baseUrl() + "/v1/chat/completions");
            List<String> report = new ArrayList<>();
            if (only.contains("unjudged")) {
                ConfigurableApplicationContext off =
                        GatewayOverheadBenchmark.start(upstream, tenants, "stream-off", false, List.of());
                try {
                    report.add(row(
                            "unjudged (no output classifier), hold-back tenant",
                            upstream,
                            direct,
                            via(off),
                            tenants.localKey,
                            2000));
                } finally {
                    off.close();
                }
            }
            if (only.contains("floor")) {
                try (BareForwarder floor = BareForwarder.streaming(upstream.baseUrl())) {
                    report.add(row(
                            "floor: bare reactor-netty stream forwarder (not the gateway)",
                            upstream,
                            direct,
                            URI.create("http://127.0.0.1:" + floor.port() + "/v1/chat/completions"),
                            tenants.localKey,
                            2000));
                }
            }
            if (only.stream().noneMatch(List.of("hold-back", "optimistic", "buffer")::contains)) {
                printReport(report);
                System.exit(0);
            }
            ConfigurableApplicationContext guarded =
                    GatewayOverheadBenchmark.start(upstream, tenants, "stream-guarded", true, List.of());
            try {
                for (Map.Entry<String, String> row : List.of(
                        Map.entry("hold-back", tenants.localKey),
                        Map.entry("optimistic", optimisticKey),
                        Map.entry("buffer", bufferKey))) {
                    if (only.contains(row.getKey())) {
                        report.add(row(
                                "embedded guards, " + row.getKey(),
                                upstream,
                                direct,
                                via(guarded),
                                row.getValue(),
                                200));
                    }
                }
            } finally {
                guarded.close();
            }
            printReport(report);
        }
        System.exit(0);
    }

    private static void printReport(List<String> report) {
        System.out.println();
        System.out.println("| row | first content p50 direct / gateway ms | added p50 ms (paired) | end of stream p50"
                + " direct / gateway ms | end ratio | decode tok/s p50 direct / gateway | tok/s ratio |");
        System.out.println("|---|---|---|---|---|---|---|");
        report.forEach(System.out::println);
        System.out.printf("load average at the end: %s%n", loadAverage());
    }

    private static URI via(ConfigurableApplicationContext gateway) {
        return URI.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")
                + "/v1/chat/completions");
    }

    private static long serial;

    private static String row(
            String name, ScriptedOpenAiServer upstream, URI direct, URI via, String key, int defaultWarmup)
            throws Exception {
        int warmup = Integer.getInteger("bench.warmup", defaultWarmup);
        for (int i = 0; i < warmup; i++) {
            call(upstream, direct, key, Duration.ZERO);
            call(upstream, via, key, Duration.ZERO);
        }
        int n = Integer.getInteger("bench.requests", 40);
        Sample[] d = new Sample[n];
        Sample[] g = new Sample[n];
        double[] added = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = call(upstream, direct, key, GAP);
            g[i] = call(upstream, via, key, GAP);
            added[i] = g[i].firstContent() - d[i].firstContent();
        }
        double dFirst = p50(d, Sample::firstContent);
        double gFirst = p50(g, Sample::firstContent);
        double dEnd = p50(d, Sample::end);
        double gEnd = p50(g, Sample::end);
        double dRate = p50(d, Sample::rate);
        double gRate = p50(g, Sample::rate);
        String line = String.format(
                "| %s | %.2f / %.2f | %+.2f | %.1f / %.1f | %.3f | %.1f / %.1f | %.3f |",
                name, dFirst, gFirst, p50(added), dEnd, gEnd, gEnd / dEnd, dRate, gRate, gRate / dRate);
        System.out.println(line
                + String.format(
                        "   (gateway p50: first body line %.2f ms, last content to end of"
                                + " stream %.2f ms, direct %.2f ms; load %s)",
                        p50(g, Sample::firstLine),
                        p50(g, x -> x.end() - x.lastContent()),
                        p50(d, x -> x.end() - x.lastContent()),
                        loadAverage()));
        return line;
    }

    private static final Map<Integer, SseSocketClient> CLIENTS = new java.util.HashMap<>();

    /** One streamed request with its own prompt and reply text; times in ms from just before sending. */
    private static Sample call(ScriptedOpenAiServer upstream, URI uri, String key, Duration gap) throws Exception {
        long id = ++serial;
        String[] pieces = new String[PIECES];
        for (int i = 0; i < PIECES; i++) {
            pieces[i] = (i == 0 ? "Reply " : " ") + id + "-" + i;
        }
        upstream.enqueue(ScriptedReply.pieces(pieces).usage(9, PIECES).chunkDelay(gap));
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Count for me, request " + id + "\"}]}";
        SseSocketClient client = CLIENTS.computeIfAbsent(uri.getPort(), p -> new SseSocketClient("127.0.0.1", p));
        double[] t = {-1, -1, -1};
        int[] contents = {0};
        List<String> head = new ArrayList<>(); // the answer's first lines, to say what went wrong
        long start = System.nanoTime();
        SseSocketClient.Response response = client.post(uri.getPath(), "Bearer " + key, body, line -> {
            if (head.size() < 3) {
                head.add(line);
            }
            double now = (System.nanoTime() - start) / 1e6;
            if (t[0] < 0) {
                t[0] = now;
            }
            if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                contents[0]++;
                t[2] = now;
                if (t[1] < 0) {
                    t[1] = now;
                }
            }
        });
        double end = (System.nanoTime() - start) / 1e6;
        if (response.status() != 200 || contents[0] != PIECES) {
            throw new IllegalStateException(uri + " answered " + response.status() + " with " + contents[0]
                    + " content events to request " + id + ": " + head);
        }
        return new Sample(t[0], t[1], t[2], end, contents[0]);
    }

    private static double p50(Sample[] samples, java.util.function.ToDoubleFunction<Sample> f) {
        return p50(Arrays.stream(samples).mapToDouble(f).toArray());
    }

    private static double p50(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() {
        try {
            String[] parts =
                    Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "n/a";
        }
    }
}
