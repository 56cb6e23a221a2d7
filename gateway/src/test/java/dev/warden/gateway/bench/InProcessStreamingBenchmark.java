package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.llamacpp.LlamaCppSettings;
import dev.warden.inference.testing.TinyGguf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Time to first token and tokens per second of the in-process llama.cpp engine (issues 3 and 5): called
 * directly, and through the gateway over HTTP with streaming, on the same GGUF, prompt, seed and settings, in
 * one run (direct and gateway runs alternate). The gateway is measured with its guards off (the inference path
 * alone) and with the embedded default guards in each streaming mode.
 * <p>
 * <p>
 * Both paths are warmed up alike before each row is measured (200 unmeasured requests each by default): the
 * gateway's per-request code runs once per request, so a handful of requests measures the JIT compiling it
 * (the compiler threads then take most of the second core) rather than the gateway a server runs in steady
 * state. The gateway's client is {@link SseSocketClient}: a blocking socket read on the measuring thread, the
 * counterpart of the direct path reading the engine's Flux; {@code -Dbench.client=jdk} uses the JDK's HttpClient
 * instead, which hands every read through two more threads. Both clocks start before the request is made.
 * <p>
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.InProcessStreamingBenchmark} (options:
 * -Dbench.gguf=path (default: the tiny test model), -Dbench.requests=N, -Dbench.maxTokens=M, -Dbench.warmup=W,
 * -Dbench.rows=off,optimistic,hold-back,buffer to run only some rows, -Dbench.client=socket|jdk, -Dbench.cpu=true
 * for CPU per streamed token by thread group, JIT and GC included).
 */
public final class InProcessStreamingBenchmark {

    private static int THREADS = 1;
    private static final boolean JDK_CLIENT = "jdk".equals(System.getProperty("bench.client"));

    record Sample(double ttftMs, double tokensPerSecond, int tokens) {}

    public static void main(String[] args) throws Exception {
        Path gguf = Path.of(System.getProperty("bench.gguf", TinyGguf.path().toString()));
        int requests = Integer.getInteger("bench.requests", 20);
        int maxTokens = Integer.getInteger("bench.maxTokens", 256);
        int warmup = Integer.getInteger("bench.warmup", 200);
        List<String> rowsWanted = List.of(System.getProperty("bench.rows", "off,optimistic,hold-back,buffer")
                .split(","));
        boolean cpu = Boolean.getBoolean("bench.cpu");
        // llama.cpp's threads spin on their cores: leave one for the gateway and the client, or the comparison
        // measures CPU contention rather than the gateway
        THREADS = Integer.getInteger("bench.threads", 1);
        TestTenants tenants = TestTenants.create();
        String prompt = "Write a long story about a lighthouse keeper and the sea.";
        System.out.printf(
                "model %s, %d requests per row after %d warm-up, max_tokens %d, seed fixed, 1 slot, "
                        + "%d llama.cpp thread(s)%n",
                gguf.getFileName(), requests, warmup, maxTokens, THREADS);

        LlamaCppEngine direct = new LlamaCppEngine(new LlamaCppSettings(gguf, 1, 4, 2048, THREADS, maxTokens));
        List<String[]> rows = new ArrayList<>();
        String[][] configs = Stream.of(new String[][] {
                    {"gateway, guards off, optimistic", "false", TenantKind.PLAYGROUND.name(), "off"},
                    {"gateway, embedded guards, optimistic", "true", TenantKind.PLAYGROUND.name(), "optimistic"},
                    {"gateway, embedded guards, hold-back", "true", TenantKind.HOLDBACK.name(), "hold-back"},
                    {"gateway, embedded guards, buffer", "true", TenantKind.BUFFERED.name(), "buffer"}
                })
                .filter(c -> rowsWanted.contains(c[3]))
                .toArray(String[][]::new);
        boolean guardsOn = false;
        ConfigurableApplicationContext gateway = start(tenants, gguf, maxTokens, guardsOn);
        try {
            for (String[] config : configs) {
                boolean wantGuards = Boolean.parseBoolean(config[1]);
                if (wantGuards != guardsOn) {
                    gateway.close();
                    gateway = start(tenants, gguf, maxTokens, wantGuards);
                    guardsOn = wantGuards;
                }
                String port = gateway.getEnvironment().getProperty("local.server.port");
                String key = TenantKind.valueOf(config[2]).key(tenants);
                for (int i = 0; i < warmup; i++) {
                    viaGateway(port, key, prompt, maxTokens);
                    direct(direct, prompt, maxTokens);
                }
                List<Sample> d = new ArrayList<>();
                List<Sample> g = new ArrayList<>();
                Map<String, Long> dCpu = new TreeMap<>();
                Map<String, Long> gCpu = new TreeMap<>();
                int dTokens = 0;
                int gTokens = 0;
                for (int i = 0; i < requests; i++) {
                    ThreadCpu s0 = cpu ? ThreadCpu.snapshot() : null;
                    d.add(direct(direct, prompt, maxTokens));
                    ThreadCpu s1 = cpu ? ThreadCpu.snapshot() : null;
                    g.add(viaGateway(port, key, prompt, maxTokens));
                    if (cpu) {
                        ThreadCpu s2 = ThreadCpu.snapshot();
                        s1.nanosSince(s0).forEach((k, v) -> dCpu.merge(k, v, Long::sum));
                        s2.nanosSince(s1).forEach((k, v) -> gCpu.merge(k, v, Long::sum));
                    }
                    dTokens += d.get(i).tokens();
                    gTokens += g.get(i).tokens();
                }
                if (cpu) {
                    System.out.println("  " + config[0] + ": cpu us/token direct: " + perToken(dCpu, dTokens));
                    System.out.println("  " + config[0] + ": cpu us/token gateway: " + perToken(gCpu, gTokens));
                }
                double dTtft = median(d.stream().mapToDouble(Sample::ttftMs).toArray());
                double gTtft = median(g.stream().mapToDouble(Sample::ttftMs).toArray());
                double dTps =
                        median(d.stream().mapToDouble(Sample::tokensPerSecond).toArray());
                double gTps =
                        median(g.stream().mapToDouble(Sample::tokensPerSecond).toArray());
                rows.add(new String[] {
                    config[0],
                    fmt(dTtft),
                    fmt(gTtft),
                    fmt(gTtft - dTtft),
                    fmt(dTps),
                    fmt(gTps),
                    String.format("%.3f", gTps / dTps)
                });
            }
        } finally {
            gateway.close();
        }
        System.out.println("| path | direct TTFT p50 ms | gateway TTFT p50 ms | added ms | direct tok/s p50 | "
                + "gateway tok/s p50 | tok/s ratio |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
        System.exit(0);
    }

    enum TenantKind {
        PLAYGROUND,
        HOLDBACK,
        BUFFERED;

        String key(TestTenants t) {
            return switch (this) {
                case PLAYGROUND -> t.playgroundKey;
                case HOLDBACK -> t.holdbackKey;
                case BUFFERED -> t.bufferedKey;
            };
        }
    }

    private static ConfigurableApplicationContext start(TestTenants tenants, Path gguf, int maxTokens, boolean guards) {
        List<String> arguments = tenants.gatewayArguments(String.valueOf(guards), guards);
        arguments.addAll(List.of(
                "--warden.models[0].name=bench",
                "--warden.models[0].engine=llama-cpp",
                "--warden.models[0].context-length=2048",
                "--warden.models[0].llama-cpp.gguf=" + gguf,
                "--warden.models[0].llama-cpp.slots=1",
                "--warden.models[0].llama-cpp.threads=" + THREADS,
                "--warden.models[0].llama-cpp.default-max-tokens=" + maxTokens));
        return SpringApplication.run(WardenGateway.class, arguments.toArray(String[]::new));
    }

    private static Sample direct(LlamaCppEngine engine, String prompt, int maxTokens) {
        ChatRequest request = new ChatRequest(
                "bench",
                List.of(ChatMessage.of(Role.USER, prompt)),
                List.of(),
                null,
                new SamplingParams(0.8, 0.95, maxTokens, List.of(), 11L, 1, false, null),
                true,
                true,
                null);
        long start = System.nanoTime();
        long[] first = {0};
        long[] last = {0};
        int[] tokens = {0};
        for (StreamChunk c : engine.streamChat(request).toIterable()) {
            if (!c.text().isEmpty()) {
                long now = System.nanoTime();
                if (first[0] == 0) {
                    first[0] = now;
                }
                last[0] = now;
                tokens[0]++;
            }
        }
        return sample(start, first[0], last[0], tokens[0]);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, SseSocketClient> SOCKETS = new HashMap<>();

    /** Times the content events of a streamed body as the client reads them: the first, the last, how many. */
    private static final class ContentEvents implements Consumer<String> {
        long first;
        long last;
        int tokens;

        @Override
        public void accept(String line) {
            if (line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                long now = System.nanoTime();
                if (first == 0) {
                    first = now;
                }
                last = now;
                tokens++;
            }
        }
    }

    private static Sample viaGateway(String port, String key, String prompt, int maxTokens) throws Exception {
        String body = "{\"model\":\"bench\",\"stream\":true,\"max_tokens\":" + maxTokens + ",\"seed\":11,"
                + "\"temperature\":0.8,\"top_p\":0.95,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
        ContentEvents events = new ContentEvents();
        int status;
        long start;
        if (JDK_CLIENT) {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            start = System.nanoTime();
            HttpResponse<java.io.InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    events.accept(line);
                }
            }
            status = response.statusCode();
        } else {
            SseSocketClient client =
                    SOCKETS.computeIfAbsent(port, p -> new SseSocketClient("127.0.0.1", Integer.parseInt(p)));
            start = System.nanoTime();
            status = client.post("/v1/chat/completions", "Bearer " + key, body, events)
                    .status();
        }
        if (status != 200) {
            throw new IllegalStateException("gateway answered " + status);
        }
        return sample(start, events.first, events.last, events.tokens);
    }

    private static Sample sample(long start, long first, long last, int tokens) {
        double ttft = (first - start) / 1e6;
        double tps = tokens > 1 ? (tokens - 1) / ((last - first) / 1e9) : 0;
        return new Sample(ttft, tps, tokens);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** CPU microseconds per streamed token by thread group, leaving out groups below 0.05 us. */
    private static Map<String, String> perToken(Map<String, Long> nanos, int tokens) {
        Map<String, String> out = new TreeMap<>();
        long total = 0;
        for (var e : nanos.entrySet()) {
            double us = e.getValue() / 1e3 / tokens;
            total += e.getValue();
            if (us >= 0.05) {
                out.put(e.getKey(), String.format("%.2f", us));
            }
        }
        out.put("(all)", String.format("%.2f", total / 1e3 / tokens));
        return out;
    }

    private static String fmt(double v) {
        return String.format("%.2f", v);
    }
}
