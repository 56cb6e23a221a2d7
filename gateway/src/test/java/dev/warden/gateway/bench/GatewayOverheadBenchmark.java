package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway's added latency on loopback (issues 2, 4, 6, 7): the same non-streaming chat request sent straight
 * to a fast local OpenAI-compatible upstream (the baseline), and through the gateway to that upstream, at
 * concurrency 1 and 8. Gateway configurations:
 * <ul>
 *   <li>{@code proxy}: no classifiers, a tenant without limits, audit log off: the foundation alone (issue 2);</li>
 *   <li>{@code audit-full}, {@code audit-normal}: as proxy, with the SQLite audit log (fsync FULL / NORMAL);</li>
 *   <li>{@code limits}: as proxy with the audit log, and a tenant whose key and tenant limits all apply (the policy
 *   stage, local buckets); {@code limits-redis}: the same with the buckets in a real Redis server;</li>
 *   <li>{@code audit-postgres}: as audit-full, with the audit log in a real (embedded) PostgreSQL server;</li>
 *   <li>{@code guarded}: the embedded default classifiers and the content rules on input and output.</li>
 * </ul>
 * Direct and gateway runs alternate in rounds so that noise from this shared machine hits both alike; the
 * figures are pooled over the rounds and printed with their ratio to the direct baseline of the same round.
 * <p>
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.GatewayOverheadBenchmark} (options: -Dbench.requests=N per
 * round, -Dbench.rounds=R, -Dbench.configs=proxy,audit-full,audit-normal,limits,guarded, -Dbench.extra=key=value,... for more properties).
 */
public final class GatewayOverheadBenchmark {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static final String BODY = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hello in five words.\"}],\"max_tokens\":16}";

    public static void main(String[] args) throws Exception {
        int requests = Integer.getInteger("bench.requests", 1000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<String> configs = List.of(System.getProperty(
                        "bench.configs",
                        "floor,proxy,audit-full,audit-normal,audit-postgres,limits,limits-redis,guarded")
                .split(","));
        System.out.printf(
                "machine: %d cores, %s %s, Java %s; %d requests x %d rounds per row%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                requests,
                rounds);
        System.out.println("| gateway config | concurrency | direct p50 ms | direct p99 ms | gateway p50 ms | "
                + "gateway p99 ms | added p50 ms | added p99 ms | direct req/s | gateway req/s | req/s ratio | "
                + "gateway CPU µs/req |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast()) {
            TestTenants tenants = TestTenants.create();
            for (String config : configs) {
                boolean guarded = config.equals("guarded");
                String key = config.startsWith("limits") ? tenants.generousKey : tenants.localKey;
                List<String> extra = new ArrayList<>();
                AutoCloseable server = null;
                if (config.equals("limits-redis")) {
                    int port;
                    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                        port = s.getLocalPort();
                    }
                    redis.embedded.RedisServer redisServer = redis.embedded.RedisServer.newRedisServer()
                            .port(port)
                            .bind("127.0.0.1")
                            .setting("save \"\"")
                            .setting("appendonly no")
                            .build();
                    redisServer.start();
                    server = redisServer::stop;
                    extra.add("--warden.rate-limit.redis-uri=redis://127.0.0.1:" + port);
                }
                if (config.equals("audit-postgres")) {
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                                    .start();
                    server = pg;
                    extra.add("--warden.audit.store=" + pg.getJdbcUrl("postgres", "postgres"));
                }
                BareForwarder bare = config.equals("floor") ? BareForwarder.whole(upstream.baseUrl()) : null;
                AutoCloseable gateway = bare != null ? bare : start(upstream, tenants, config, guarded, extra);
                try {
                    String port = bare != null
                            ? Integer.toString(bare.port())
                            : ((ConfigurableApplicationContext) gateway)
                                    .getEnvironment()
                                    .getProperty("local.server.port");
                    URI direct = URI.create(upstream.baseUrl() + "/v1/chat/completions");
                    URI viaGateway = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
                    warmUp(direct, viaGateway, key);
                    for (int concurrency : new int[] {1, 8}) {
                        run(direct, key, concurrency, requests / 2, null);
                        run(viaGateway, key, concurrency, requests / 2, null);
                        LatencyRecorder d = new LatencyRecorder();
                        LatencyRecorder g = new LatencyRecorder();
                        double ds = 0;
                        double gs = 0;
                        java.util.Map<String, Double> dcpu = new java.util.TreeMap<>();
                        java.util.Map<String, Double> gcpu = new java.util.TreeMap<>();
                        java.util.Map<String, Double> galloc = new java.util.TreeMap<>();
                        for (int round = 0; round < rounds; round++) {
                            ThreadCpu s0 = ThreadCpu.snapshot();
                            ds += run(direct, key, concurrency, requests, d);
                            ThreadCpu s1 = ThreadCpu.snapshot();
                            gs += run(viaGateway, key, concurrency, requests, g);
                            ThreadCpu s2 = ThreadCpu.snapshot();
                            s1.microsPerRequestSince(s0, requests * rounds)
                                    .forEach((k, v) -> dcpu.merge(k, v, Double::sum));
                            s2.microsPerRequestSince(s1, requests * rounds)
                                    .forEach((k, v) -> gcpu.merge(k, v, Double::sum));
                            s2.bytesPerRequestSince(s1, requests * rounds)
                                    .forEach((k, v) -> galloc.merge(k, v, Double::sum));
                        }
                        if (Boolean.getBoolean("bench.cpu")) {
                            System.out.println("  cpu us/request direct: " + dcpu);
                            System.out.println("  cpu us/request gateway: " + gcpu);
                            System.out.println("  bytes allocated/request gateway: " + galloc);
                        }
                        // the gateway's (or the bare forwarder's) own event loops: Spring Boot's reactor-netty
                        // server and the client it shares its loops with (warden-http: EventLoopsConfiguration;
                        // reactor-http: the global loops the bare forwarder runs on)
                        double hopCpu = gcpu.getOrDefault("warden-http-epoll", 0.0)
                                + gcpu.getOrDefault("warden-http-nio", 0.0)
                                + gcpu.getOrDefault("reactor-http-epoll", 0.0)
                                + gcpu.getOrDefault("reactor-http-nio", 0.0);
                        report(config, concurrency, d, ds, g, gs, hopCpu);
                    }
                } finally {
                    gateway.close();
                    if (server != null) {
                        server.close();
                    }
                }
            }
        }
        System.exit(0);
    }

    static ConfigurableApplicationContext start(
            ScriptedOpenAiServer upstream, TestTenants tenants, String config, boolean guarded, List<String> more) {
        List<String> props = tenants.gatewayArguments(config, guarded);
        props.addAll(List.of(
                "--warden.audit.enabled=" + !config.equals("proxy"),
                "--warden.audit.sqlite-sync=" + (config.startsWith("audit-full") ? "full" : "normal"),
                "--warden.models[0].name=bench-model",
                "--warden.models[0].engine=remote",
                "--warden.models[0].remote.urls[0]=" + upstream.baseUrl(),
                "--warden.models[0].remote.upstream-model=upstream-model"));
        props.addAll(more);
        for (String extra : System.getProperty("bench.extra", "").split(",")) {
            if (!extra.isBlank()) {
                props.add("--" + extra.trim());
            }
        }
        return SpringApplication.run(WardenGateway.class, props.toArray(String[]::new));
    }

    /**
     * Runs the gateway and the direct path at concurrency 8 in slices of 1,000 requests until the JIT compiler
     * has settled: two slices in a row with less than 2% of one core spent compiling, after at least
     * {@code -Dbench.warmupSeconds} (default 30), or 4 minutes in all. On 2 cores C2 needs a minute or more of
     * traffic to compile the gateway's path (methods reach it only after thousands of calls, so a quiet slice
     * early on does not mean it is done); measured before that, the gateway competes with its own compiler and
     * the figures describe warm-up, not the gateway.
     */
    private static void warmUp(URI direct, URI viaGateway, String key) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long minimum = Long.getLong("bench.warmupSeconds", 30) * 1_000_000_000L;
        long started = System.nanoTime();
        double share;
        int quiet = 0;
        do {
            long compiling = jit.getTotalCompilationTime();
            long sliceStart = System.nanoTime();
            run(viaGateway, key, 8, 1000, null);
            run(direct, key, 8, 1000, null);
            double sliceMillis = (System.nanoTime() - sliceStart) / 1e6;
            share = (jit.getTotalCompilationTime() - compiling) / sliceMillis;
            quiet = share < 0.02 ? quiet + 1 : 0;
        } while ((quiet < 2 || System.nanoTime() - started < minimum)
                && System.nanoTime() - started < 240_000_000_000L);
        System.out.printf(
                "  (warm-up %.0f s; JIT compiling %.1f%% of one core in the last slice)%n",
                (System.nanoTime() - started) / 1e9, share * 100);
    }

    private static void report(
            String config, int concurrency, LatencyRecorder d, double ds, LatencyRecorder g, double gs, double hopCpu) {
        double dp50 = d.percentileMillis(50);
        double dp99 = d.percentileMillis(99);
        double gp50 = g.percentileMillis(50);
        double gp99 = g.percentileMillis(99);
        double drps = d.count() / ds;
        double grps = g.count() / gs;
        System.out.printf(
                "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.2f | %.0f |%n",
                config, concurrency, dp50, dp99, gp50, gp99, gp50 - dp50, gp99 - dp99, drps, grps, grps / drps, hopCpu);
    }

    private static final LoadGenerator LOAD = new LoadGenerator();

    /** Sends {@code total} requests from {@code concurrency} virtual clients; returns the wall time in seconds. */
    static double run(URI uri, String key, int concurrency, int total, LatencyRecorder into) throws Exception {
        // a different prompt each time, so the guards' verdict cache never answers
        LoadGenerator.Run run = LOAD.run(
                uri,
                key,
                concurrency,
                total,
                n -> BODY.replace("five words", "five words, take " + SEQUENCE.incrementAndGet()),
                into);
        if (!run.failures().isEmpty()) {
            // reported, not fatal: under overload a fail-closed guard answers 400 and that is part of the result
            System.out.println("  (" + uri.getPort() + ", concurrency " + concurrency + ": non-200 answers, status "
                    + "-> count, -1 = I/O error: " + run.failures() + ")");
        }
        return run.seconds();
    }
}
