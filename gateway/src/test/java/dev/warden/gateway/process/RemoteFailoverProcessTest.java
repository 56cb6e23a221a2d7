package dev.warden.gateway.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.TinyGguf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 3, item 5: a gateway (in this JVM) whose model is served by another gateway in a child JVM that runs the
 * tiny Llama GGUF in process. Killing the child with SIGKILL in the middle of a stream must end the client's stream
 * with an error event, never a silent truncation; while the replica is down requests fail fast with 502/503; a new
 * child on the same port brings the model back without restarting the front gateway.
 */
@Tag("slow")
class RemoteFailoverProcessTest {

    /**
     * Long enough that the replica is still generating when the kill lands (about 1,500 tokens/s on this machine).
     * The tiny GGUF declares a 512-token context; the model runs with 1024, which llama.cpp accepts with a warning.
     */
    private static final int MAX_TOKENS = 1900;

    @Test
    void killingTheReplicaMidStreamEndsTheStreamWithAnErrorAndANewReplicaOnTheSamePortIsUsedAgain() throws Exception {
        TestTenants tenants = TestTenants.create();
        int childPort = GatewayProcess.freePort();
        // Guards off on both sides: this test is about failover, and since every output window is judged, a long
        // stretch of the tiny model's random text trips a classifier somewhere (content_filter, not length).
        Map<String, String> childProperties = Map.ofEntries(
                Map.entry("warden.guard.embedded.enabled", "false"),
                Map.entry("warden.guard.rules.enabled", "false"),
                Map.entry("warden.guard.code-security.enabled", "false"),
                Map.entry("warden.tenants-file", tenants.file.toString()),
                Map.entry(
                        "warden.licences-dir",
                        TestTenants.CONFIG.resolve("licences").toAbsolutePath().toString()),
                Map.entry("warden.data-dir", tenants.dir.resolve("child-data").toString()),
                Map.entry("warden.models[0].name", "tiny"),
                Map.entry("warden.models[0].engine", "llama-cpp"),
                Map.entry("warden.models[0].context-length", "2048"),
                Map.entry("warden.models[0].llama-cpp.gguf", TinyGguf.path().toString()),
                Map.entry("warden.models[0].llama-cpp.slots", "1"),
                // one thread: the replica generates more slowly than this JVM reads, so the kill lands mid-stream
                Map.entry("warden.models[0].llama-cpp.threads", "1"),
                Map.entry("logging.level.root", "WARN"));
        GatewayProcess child = GatewayProcess.start("replica", childPort, childProperties);
        ConfigurableApplicationContext front = null;
        try {
            front = SpringApplication.run(
                    WardenGateway.class,
                    "--server.port=0",
                    "--spring.main.banner-mode=off",
                    "--logging.level.root=WARN",
                    "--warden.tenants-file=" + tenants.file,
                    "--warden.licences-dir="
                            + TestTenants.CONFIG.resolve("licences").toAbsolutePath(),
                    "--warden.data-dir=" + tenants.dir.resolve("front-data"),
                    "--warden.models[0].name=tiny-remote",
                    "--warden.models[0].engine=remote",
                    "--warden.models[0].context-length=2048",
                    "--warden.models[0].remote.urls[0]=" + child.baseUrl(),
                    "--warden.models[0].remote.upstream-model=tiny",
                    // the child authenticates its callers like any gateway: the front uses a tenant key
                    "--warden.models[0].remote.api-key=" + tenants.playgroundKey,
                    "--warden.models[0].remote.retries=0",
                    "--warden.models[0].remote.health-interval=500ms",
                    "--warden.models[0].remote.health-path=/actuator/health/readiness",
                    "--warden.models[0].remote.connect-timeout=2s",
                    "--warden.guard.embedded.enabled=false",
                    "--warden.guard.rules.enabled=false",
                    "--warden.guard.code-security.enabled=false");
            String frontUrl = "http://127.0.0.1:" + front.getEnvironment().getProperty("local.server.port");
            HttpCalls calls = new HttpCalls(frontUrl);

            // A seed whose generation runs to max_tokens, so the stream below is long enough to be cut.
            long searchAt = System.nanoTime();
            long seed = longSeed(calls, tenants.playgroundKey);
            System.out.printf("failover: seed %d found in %d ms%n", seed, (System.nanoTime() - searchAt) / 1_000_000);

            // 1. Tokens arrive one event at a time; kill -9 the replica as soon as the first content arrives.
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest streamed = HttpRequest.newBuilder(URI.create(frontUrl + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + tenants.playgroundKey)
                    .POST(HttpRequest.BodyPublishers.ofString(chat(seed, true)))
                    .build();
            HttpResponse<InputStream> response = client.send(streamed, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> events = new ArrayList<>();
            int contentEventsBeforeKill = 0;
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    events.add(line);
                    if (child.alive() && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                        contentEventsBeforeKill = events.size();
                        child.kill();
                    }
                }
            } catch (IOException e) {
                events.add("(connection failed: " + e + ")");
            }
            String sse = String.join("\n", events);
            System.out.printf(
                    "failover: seed %d, %d events, kill after event %d, last event %s%n",
                    seed, events.size(), contentEventsBeforeKill, events.get(events.size() - 1));
            assertThat(contentEventsBeforeKill)
                    .as("content streamed before the kill")
                    .isPositive();
            assertThat(events.size())
                    .as("the stream went on after the content that triggered the kill")
                    .isGreaterThan(contentEventsBeforeKill);
            assertThat(events.get(events.size() - 1))
                    .as("last event of:\n%s", sse)
                    .startsWith("data: {\"error\":");
            assertThat(sse).doesNotContain("[DONE]").doesNotContain("\"finish_reason\":\"length\"");

            // 2. While the replica is down, requests fail fast with 502/503 instead of waiting for time-outs.
            long downAt = System.nanoTime();
            List<String> whileDown = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                HttpCalls.Reply down = calls.post(
                        "/v1/chat/completions", tenants.playgroundKey, "application/json", chat(seed, false));
                assertThat(down.status()).as(down.body()).isIn(502, 503);
                whileDown.add(down.status() + " " + down.errorCode());
            }
            System.out.printf(
                    "failover: 5 requests while down took %d ms: %s%n",
                    (System.nanoTime() - downAt) / 1_000_000, whileDown);

            // 3. A new replica on the same port: the health check puts it back in rotation.
            long restartAt = System.nanoTime();
            child = GatewayProcess.start("replica", childPort, childProperties);
            long readyAt = System.nanoTime();
            HttpCalls.Reply back = await("the new replica back in rotation")
                    .atMost(Duration.ofSeconds(60))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> calls.post(
                                    "/v1/chat/completions",
                                    tenants.playgroundKey,
                                    "application/json",
                                    chat(seed, false)),
                            r -> {
                                assertThat(r.status()).as(r.body()).isIn(200, 502, 503);
                                return r.status() == 200;
                            });
            System.out.printf(
                    "failover: new replica ready in %d ms, back in rotation %d ms later%n",
                    (readyAt - restartAt) / 1_000_000, (System.nanoTime() - readyAt) / 1_000_000);
            assertThat(back.status()).as(back.body()).isEqualTo(200);
            assertThat(back.json().path("usage").path("completion_tokens").asInt())
                    .isEqualTo(MAX_TOKENS);
            HttpCalls.Reply again =
                    calls.post("/v1/chat/completions", tenants.playgroundKey, "application/json", chat(seed, false));
            assertThat(again.status()).as(again.body()).isEqualTo(200);
        } finally {
            if (front != null) {
                front.close();
            }
            child.close();
        }
    }

    /** Tries seeds until one generates MAX_TOKENS tokens (finish_reason length); the tiny model is deterministic per seed. */
    private static long longSeed(HttpCalls calls, String key) {
        java.util.Map<String, Integer> endings = new java.util.TreeMap<>();
        for (long seed = 1; seed <= 100; seed++) {
            HttpCalls.Reply r = calls.post("/v1/chat/completions", key, "application/json", chat(seed, false));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            String finish =
                    r.json().path("choices").path(0).path("finish_reason").asString();
            if ("length".equals(finish)) {
                return seed;
            }
            endings.merge(
                    finish + " after "
                            + r.json().path("usage").path("completion_tokens").asInt() / 100 * 100 + "+ tokens",
                    1,
                    Integer::sum);
        }
        throw new AssertionError(
                "no seed in 1..100 made the tiny model generate " + MAX_TOKENS + " tokens: " + endings);
    }

    private static String chat(long seed, boolean stream) {
        return "{\"model\":\"tiny-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story.\"}],"
                + "\"max_tokens\":" + MAX_TOKENS + ",\"seed\":" + seed + ",\"stream\":" + stream + "}";
    }
}
