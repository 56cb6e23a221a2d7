package dev.warden.gateway.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantFileEditor;
import dev.warden.policy.testing.RedisPause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import redis.embedded.RedisServer;

/**
 * Issue 6: two gateways sharing one Redis enforce one limit between them, exactly, under contention; and when Redis
 * stalls or goes away each applies its configured fallback: {@code local} keeps serving under in-memory limits,
 * {@code closed} refuses with 503.
 */
@Tag("slow")
class SharedRedisRateLimitTest {

    /** Opens the metrics, which need the admin key. */
    private static final String ADMIN_KEY = dev.warden.gateway.admin.CreateAdminKeyCommand.generate();

    private static final String MODEL = "limited-model";

    /** Appended to the shipped example: a tenant limited to 10 requests a minute per key, and one for warm-up. */
    private static final String TENANTS =
            TestTenants.tenant("shared", "Shared limit (tests)", "limits:\n  key:\n    requests: [10/1m]")
                    + TestTenants.tenant("warmup", "Warm-up (tests)", "limits:\n  key:\n    requests: [1000/1m]");

    @Test
    void twoGatewaysShareOneLimitThroughRedisAndApplyTheirFallbackWhenItIsGone() throws Exception {
        Path dir = Files.createTempDirectory("warden-shared-limit");
        Path tenantsFile = dir.resolve("tenants.yaml");
        Files.writeString(tenantsFile, Files.readString(TestTenants.CONFIG.resolve("tenants.example.yaml")) + TENANTS);
        TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.load(TestTenants.CONFIG.resolve("licences")));
        String sharedKey = editor.createKey(tenantsFile, "shared", "test");
        String warmupKey = editor.createKey(tenantsFile, "warmup", "test");

        int redisPort = GatewayProcess.freePort();
        RedisServer redis = RedisServer.newRedisServer()
                .port(redisPort)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("dir " + dir)
                .build();
        redis.start();
        ConfigurableApplicationContext local = null;
        ConfigurableApplicationContext closed = null;
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()) {
            local = gateway(dir, "a", tenantsFile, upstream, redisPort, "local");
            closed = gateway(dir, "b", tenantsFile, upstream, redisPort, "closed");
            HttpCalls a = new HttpCalls(url(local));
            HttpCalls b = new HttpCalls(url(closed));
            // Both gateways connect to Redis before the contended burst (a first connection may be slow here).
            for (HttpCalls g : List.of(a, b)) {
                HttpCalls.Reply warm = g.post("/v1/chat/completions", warmupKey, "application/json", chat());
                assertThat(warm.status()).as(warm.body()).isEqualTo(200);
            }

            // 25 requests on one key, alternating between the gateways, from 8 threads at once.
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<HttpCalls.Reply>> sent = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                HttpCalls target = i % 2 == 0 ? a : b;
                sent.add(pool.submit(() -> target.post("/v1/chat/completions", sharedKey, "application/json", chat())));
            }
            List<HttpCalls.Reply> replies = new ArrayList<>();
            for (Future<HttpCalls.Reply> f : sent) {
                replies.add(f.get());
            }
            pool.shutdown();
            List<HttpCalls.Reply> ok =
                    replies.stream().filter(r -> r.status() == 200).toList();
            List<HttpCalls.Reply> limited =
                    replies.stream().filter(r -> r.status() == 429).toList();
            assertThat(replies).extracting(HttpCalls.Reply::status).containsOnly(200, 429);
            assertThat(ok).hasSize(10);
            assertThat(limited).hasSize(15);
            for (HttpCalls.Reply r : limited) {
                assertThat(r.errorCode()).isEqualTo("rate_limit_exceeded");
                assertThat(Long.parseLong(r.header("retry-after"))).isPositive();
                assertThat(r.header("x-ratelimit-limit-requests")).isEqualTo("10");
                assertThat(r.header("x-ratelimit-remaining-requests")).isEqualTo("0");
                assertThat(r.header("x-ratelimit-reset-requests")).isNotBlank();
            }
            for (HttpCalls.Reply r : ok) {
                assertThat(r.header("x-ratelimit-limit-requests")).isEqualTo("10");
            }

            // Redis stalls: reachable, but CLIENT PAUSE holds every command. Within the time limit each gateway
            // applies its fallback as for an outage, and counts it; neither waits for the pause to end.
            long pauseEnds = pause(redisPort, 8000);
            ExecutorService both = Executors.newFixedThreadPool(2);
            Future<HttpCalls.Reply> stalledLocal =
                    both.submit(() -> a.post("/v1/chat/completions", warmupKey, "application/json", chat()));
            Future<HttpCalls.Reply> stalledClosed =
                    both.submit(() -> b.post("/v1/chat/completions", warmupKey, "application/json", chat()));
            HttpCalls.Reply servedLocally = stalledLocal.get();
            HttpCalls.Reply refused = stalledClosed.get();
            assertThat(System.nanoTime())
                    .as("both answered before the pause ended")
                    .isLessThan(pauseEnds);
            both.shutdown();
            assertThat(servedLocally.status()).as(servedLocally.body()).isEqualTo(200);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("rate_limiter_unavailable");
            for (HttpCalls g : List.of(a, b)) {
                assertThat(g.get("/actuator/prometheus", ADMIN_KEY).body())
                        .containsPattern("(?m)^warden_ratelimit_fallbacks_total\\{[^}]*} [1-9]");
            }
            // Once the pause is over, the closed gateway admits again, which it only does through Redis.
            HttpCalls.Reply again = await("the closed gateway admitting through Redis again")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> b.post("/v1/chat/completions", warmupKey, "application/json", chat()),
                            r -> r.status() == 200);
            assertThat(again.status()).as(again.body()).isEqualTo(200);

            // Redis goes away: fallback local serves under this gateway's own buckets; fallback closed refuses.
            redis.stop();
            HttpCalls.Reply viaLocal = a.post("/v1/chat/completions", sharedKey, "application/json", chat());
            assertThat(viaLocal.status()).as(viaLocal.body()).isEqualTo(200);
            assertThat(viaLocal.header("x-ratelimit-limit-requests")).isEqualTo("10");
            HttpCalls.Reply viaClosed = b.post("/v1/chat/completions", sharedKey, "application/json", chat());
            assertThat(viaClosed.status()).as(viaClosed.body()).isEqualTo(503);
            assertThat(viaClosed.errorCode()).isEqualTo("rate_limiter_unavailable");
        } finally {
            if (local != null) {
                local.close();
            }
            if (closed != null) {
                closed.close();
            }
            if (redis.isActive()) {
                redis.stop();
            }
        }
    }

    private static ConfigurableApplicationContext gateway(
            Path dir, String name, Path tenantsFile, ScriptedOpenAiServer upstream, int redisPort, String fallback) {
        return SpringApplication.run(
                WardenGateway.class,
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--warden.tenants-file=" + tenantsFile,
                "--warden.licences-dir="
                        + TestTenants.CONFIG.resolve("licences").toAbsolutePath(),
                "--warden.data-dir=" + dir.resolve(name + "-data"),
                "--warden.admin.key-sha256=" + dev.warden.policy.tenant.ApiKeys.hash(ADMIN_KEY),
                "--warden.rate-limit.redis-uri=redis://127.0.0.1:" + redisPort,
                "--warden.rate-limit.fallback=" + fallback,
                // generous: the exact shared count must not depend on how loaded the test machine is
                "--warden.rate-limit.redis-timeout=2s",
                "--warden.models[0].name=" + MODEL,
                "--warden.models[0].engine=remote",
                "--warden.models[0].remote.urls[0]=" + upstream.baseUrl(),
                "--warden.models[0].remote.upstream-model=upstream-model");
    }

    private static long pause(int redisPort, long millis) throws IOException {
        return RedisPause.pause(redisPort, millis);
    }

    private static String url(ConfigurableApplicationContext gateway) {
        return "http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port");
    }

    private static String chat() {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi.\"}],"
                + "\"max_tokens\":8}";
    }
}
