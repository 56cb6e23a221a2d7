package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.net.URI;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Time to the first streamed content event, straight from a fast local upstream and through the gateway (guards
 * off, optimistic streaming), to separate the gateway's streaming path from the engine's. The client is
 * {@link SseSocketClient} (one kept-alive socket per target, read on the measuring thread), and both paths get
 * {@code -Dbench.warmup} unmeasured requests first (default 3,000: the JIT needs that many on 2 cores). Besides the
 * latencies it prints the process's CPU time per pair of measured requests (one direct, one through the gateway), a
 * steadier figure than a latency for comparing two builds of the gateway.
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.StreamFirstByteProbe}.
 */
public final class StreamFirstByteProbe {

    public static void main(String[] args) throws Exception {
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast()) {
            TestTenants tenants = TestTenants.create();
            ConfigurableApplicationContext gateway = SpringApplication.run(
                    WardenGateway.class,
                    "--server.port=0",
                    "--logging.level.root=WARN",
                    "--warden.tenants-file=" + tenants.file,
                    "--warden.licences-dir=" + TestTenants.CONFIG.resolve("licences"),
                    "--warden.data-dir=" + tenants.dir.resolve("data-probe"),
                    "--warden.guard.rules.enabled=false",
                    "--warden.guard.embedded.enabled=false",
                    "--warden.guard.code-security.enabled=false",
                    "--warden.models[0].name=bench-model",
                    "--warden.models[0].engine=remote",
                    "--warden.models[0].remote.urls[0]=" + upstream.baseUrl());
            try {
                String port = gateway.getEnvironment().getProperty("local.server.port");
                URI direct = URI.create(upstream.baseUrl() + "/v1/chat/completions");
                URI via = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
                int warmup = Integer.getInteger("bench.warmup", 3000);
                for (int i = 0; i < warmup; i++) {
                    first(direct, tenants.playgroundKey);
                    first(via, tenants.playgroundKey);
                }
                int n = Integer.getInteger("bench.requests", 1000);
                double[] d = new double[n];
                double[] g = new double[n];
                long cpuBefore = processCpuNanos();
                for (int i = 0; i < n; i++) {
                    d[i] = first(direct, tenants.playgroundKey);
                    g[i] = first(via, tenants.playgroundKey);
                }
                double cpuPerPair = (processCpuNanos() - cpuBefore) / 1e6 / n;
                Arrays.sort(d);
                Arrays.sort(g);
                int p50 = n / 2;
                int p99 = (int) Math.ceil(n * 0.99) - 1;
                System.out.printf(
                        "first content event p50: direct %.3f ms, gateway %.3f ms, added %.3f ms; "
                                + "p99: direct %.3f ms, gateway %.3f ms (%d requests each); "
                                + "process CPU %.3f ms per direct and gateway request%n",
                        d[p50], g[p50], g[p50] - d[p50], d[p99], g[p99], n, cpuPerPair);
            } finally {
                gateway.close();
            }
        }
        System.exit(0);
    }

    /**
     * CPU time of the whole process (client, upstream and gateway); its change between two builds is the
     * gateway's, since the client and the upstream do the same work in both.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static final java.util.Map<Integer, SseSocketClient> CLIENTS = new java.util.HashMap<>();

    static double first(URI uri, String key) throws Exception {
        String body =
                "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        SseSocketClient client = CLIENTS.computeIfAbsent(uri.getPort(), p -> new SseSocketClient("127.0.0.1", p));
        double[] first = {-1};
        long start = System.nanoTime();
        SseSocketClient.Response response = client.post(uri.getPath(), "Bearer " + key, body, line -> {
            if (first[0] < 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                first[0] = (System.nanoTime() - start) / 1e6;
            }
        });
        if (response.status() != 200) {
            throw new IllegalStateException(uri + " answered " + response.status());
        }
        return first[0];
    }
}
