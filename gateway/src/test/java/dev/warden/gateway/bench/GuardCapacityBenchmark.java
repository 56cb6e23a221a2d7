package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.guard.GuardInput;
import dev.warden.guard.bench.EmbeddedStageBenchmark;
import dev.warden.guard.embedded.EmbeddedClassifiers;
import dev.warden.guard.embedded.EncodingQueue;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.embedded.SharedEncoder;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;

/**
 * The embedded guards' cost (issue 11, point 3), in one run:
 * <ol>
 *   <li><b>Embedded input stage</b>: both heads (one shared encoder pass) on a fresh ~200-token prompt, one request
 *   at a time, with the gateway's default encoder (one batch runner, ONNX on both cores) and, for comparison, with
 *   one ONNX thread; p50 / p90 / p99 wall time and the process CPU per prompt.</li>
 *   <li><b>Throughput</b>: three gateways in front of the same fast upstream, {@code proxy} (no classifiers, audit
 *   off), {@code default} (the shipped configuration: content rules and embedded classifiers on input and
 *   output, audit log in SQLite with fsync FULL) and {@code audit only} (default with the classifiers off, to
 *   tell the classifiers' share from the audit log's), at concurrency 8, rounds alternating so this shared machine's
 *   noise hits both; req/s, p50 and the ratio default / proxy, for a short prompt (a different one each time, so
 *   no verdict cache answers; the issue's case) and for a ~200-token prompt.</li>
 * </ol>
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.GuardCapacityBenchmark} (options: -Dbench.iterations=N
 * stage prompts (300), -Dbench.requests=N per round (1000), -Dbench.rounds=R (3), -Dbench.warmupSeconds=S per
 * gateway (40), -Dbench.stageOnly=true, -Dbench.extra=key=value,... for more gateway properties).
 */
public final class GuardCapacityBenchmark {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final LoadGenerator LOAD = new LoadGenerator();

    public static void main(String[] args) throws Exception {
        System.out.printf(
                Locale.ROOT,
                "machine: %d cores, %s %s, Java %s; load average at start %.2f%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                loadAverage());
        String prompt = stage();
        if (!Boolean.getBoolean("bench.stageOnly")) {
            throughput(prompt);
        }
        System.out.printf(Locale.ROOT, "load average at end %.2f%n", loadAverage());
        System.exit(0);
    }

    /** Part 1; returns the ~200-token prompt for part 2. */
    private static String stage() {
        int iterations = Integer.getInteger("bench.iterations", 300);
        String prompt;
        try (SentenceEncoder counter = new SentenceEncoder(1)) {
            // 190 word pieces, and each request appends its own number: about 200 in all
            prompt = EmbeddedStageBenchmark.prompt(counter, 190);
            System.out.printf(
                    "embedded input stage, %d-token prompt (word pieces), both heads, %d fresh prompts:%n",
                    counter.countTokens(prompt), iterations);
        }
        System.out.println("| encoder | p50 ms | p90 ms | p99 ms | process CPU ms / prompt |");
        System.out.println("|---|---|---|---|---|");
        int cores = Runtime.getRuntime().availableProcessors();
        stageRow(
                "default (1 runner, " + Math.min(2, cores) + " ONNX threads)",
                SharedEncoder.createDefault(),
                prompt,
                iterations);
        stageRow(
                "1 runner, 1 ONNX thread",
                new SharedEncoder(new SentenceEncoder(1), EncodingQueue.Settings.defaults(), 4096),
                prompt,
                iterations);
        return prompt;
    }

    private static void stageRow(String name, SharedEncoder encoder, String prompt, int iterations) {
        try (EmbeddedClassifiers c = new EmbeddedClassifiers(encoder)) {
            for (int i = 0; i < 30; i++) {
                once(c, prompt + " warm-up " + i);
            }
            long cpu0 = processCpu();
            long[] ns = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                ns[i] = once(c, prompt + " #" + i + " " + System.nanoTime());
            }
            double cpuPerPrompt = (processCpu() - cpu0) / 1e6 / iterations;
            Arrays.sort(ns);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f | %.1f | %.1f |%n",
                    name,
                    ns[iterations / 2] / 1e6,
                    ns[iterations * 9 / 10] / 1e6,
                    ns[iterations * 99 / 100] / 1e6,
                    cpuPerPrompt);
        }
    }

    private static long once(EmbeddedClassifiers c, String text) {
        GuardInput input = GuardInput.prompt(
                List.of(ChatMessage.of(Role.SYSTEM, "You are a helpful assistant."), ChatMessage.of(Role.USER, text)));
        long start = System.nanoTime();
        Mono.zip(c.promptAttack().classify(input), c.hazard().classify(input)).block();
        return System.nanoTime() - start;
    }

    /** Part 2. */
    private static void throughput(String longPrompt) throws Exception {
        int requests = Integer.getInteger("bench.requests", 1000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int concurrency = 8;
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast()) {
            TestTenants tenants = TestTenants.create();
            ConfigurableApplicationContext proxy =
                    GatewayOverheadBenchmark.start(upstream, tenants, "proxy", false, List.of());
            ConfigurableApplicationContext guarded =
                    GatewayOverheadBenchmark.start(upstream, tenants, "audit-full", true, List.of());
            // the default configuration with the classifiers off: what the audit log alone costs
            ConfigurableApplicationContext auditOnly =
                    GatewayOverheadBenchmark.start(upstream, tenants, "audit-full-unguarded", false, List.of());
            try {
                URI proxyUri = uri(proxy);
                URI defaultUri = uri(guarded);
                URI auditUri = uri(auditOnly);
                String key = tenants.localKey;
                Map<String, IntFunction<String>> workloads = new java.util.LinkedHashMap<>();
                workloads.put(
                        "short prompt", n -> body("Say hello in five words, take " + SEQUENCE.incrementAndGet() + "."));
                workloads.put("200-token prompt", n -> body(longPrompt + " Take " + SEQUENCE.incrementAndGet() + "."));
                warmUp(proxyUri, auditUri, defaultUri, key, workloads);
                System.out.printf(
                        "%ngateway throughput at concurrency %d, %d requests x %d rounds per row, rounds alternating:%n",
                        concurrency, requests, rounds);
                System.out.println(
                        "| workload | proxy req/s | audit only req/s | default req/s | default / proxy | "
                                + "default / audit only | proxy p50 ms | default p50 ms | default CPU ms/req: encoder | all threads |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|");
                for (Map.Entry<String, IntFunction<String>> w : workloads.entrySet()) {
                    LatencyRecorder p = new LatencyRecorder();
                    LatencyRecorder g = new LatencyRecorder();
                    LatencyRecorder a = new LatencyRecorder();
                    double ps = 0;
                    double gs = 0;
                    double as = 0;
                    Map<String, Long> gcpu = new TreeMap<>();
                    for (int round = 0; round < rounds; round++) {
                        ps += run(proxyUri, key, concurrency, requests, w.getValue(), p);
                        as += run(auditUri, key, concurrency, requests, w.getValue(), a);
                        ThreadCpu before = ThreadCpu.snapshot();
                        gs += run(defaultUri, key, concurrency, requests, w.getValue(), g);
                        ThreadCpu.snapshot().nanosSince(before).forEach((k, v) -> gcpu.merge(k, v, Long::sum));
                    }
                    double prps = p.count() / ps;
                    double grps = g.count() / gs;
                    double arps = a.count() / as;
                    long encoder = gcpu.entrySet().stream()
                            .filter(e -> e.getKey().startsWith("minilm"))
                            .mapToLong(Map.Entry::getValue)
                            .sum();
                    long all = gcpu.values().stream().mapToLong(Long::longValue).sum();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %.0f | %.0f | %.0f | **%.2f** | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                            w.getKey(),
                            prps,
                            arps,
                            grps,
                            grps / prps,
                            grps / arps,
                            p.percentileMillis(50),
                            g.percentileMillis(50),
                            encoder / 1e6 / g.count(),
                            all / 1e6 / g.count());
                    if (Boolean.getBoolean("bench.cpu")) {
                        Map<String, Double> perRequest = new TreeMap<>();
                        gcpu.forEach((k, v) -> perRequest.put(k, v / 1e3 / g.count()));
                        perRequest.values().removeIf(v -> v < 5);
                        System.out.println("  default, CPU us/request by thread group: " + perRequest);
                    }
                }
            } finally {
                guarded.close();
                auditOnly.close();
                proxy.close();
            }
        }
    }

    private static String body(String content) {
        return "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content.replace("\"", "'")
                + "\"}],\"max_tokens\":16}";
    }

    private static URI uri(ConfigurableApplicationContext gateway) {
        return URI.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")
                + "/v1/chat/completions");
    }

    /** Both gateways get traffic of every workload, alternating, for at least the warm-up time each (JIT on 2 cores). */
    private static void warmUp(
            URI proxy, URI audit, URI guarded, String key, Map<String, IntFunction<String>> workloads)
            throws Exception {
        long until = System.nanoTime() + Long.getLong("bench.warmupSeconds", 40) * 2_000_000_000L;
        long start = System.nanoTime();
        while (System.nanoTime() < until) {
            for (IntFunction<String> w : workloads.values()) {
                run(proxy, key, 8, 1000, w, null);
                run(audit, key, 8, 1000, w, null);
                run(guarded, key, 8, 300, w, null);
            }
        }
        System.out.printf(Locale.ROOT, "(warm-up %.0f s)%n", (System.nanoTime() - start) / 1e9);
    }

    private static double run(
            URI uri, String key, int concurrency, int total, IntFunction<String> body, LatencyRecorder into)
            throws Exception {
        LoadGenerator.Run run = LOAD.run(uri, key, concurrency, total, body, into);
        if (!run.failures().isEmpty()) {
            System.out.println("  (" + uri.getPort() + ": non-200 answers, status -> count, -1 = I/O error: "
                    + run.failures() + ")");
        }
        return run.seconds();
    }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private GuardCapacityBenchmark() {}
}
