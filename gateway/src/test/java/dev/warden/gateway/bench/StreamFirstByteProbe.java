package dev.warden.gateway.bench;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.WardenGateway;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Time to the first streamed content event, straight from a fast local upstream and through the gateway (guards
 * off, optimistic streaming), to separate the gateway's streaming path from the engine's.
 * Run: {@code .ci/bench gateway dev.warden.gateway.bench.StreamFirstByteProbe}.
 */
public final class StreamFirstByteProbe {

    public static void main(String[] args) throws Exception {
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.startFast()) {
            TestTenants tenants = TestTenants.create();
            ConfigurableApplicationContext gateway = SpringApplication.run(WardenGateway.class,
                    "--server.port=0", "--logging.level.root=WARN",
                    "--warden.tenants-file=" + tenants.file,
                    "--warden.licences-dir=" + TestTenants.CONFIG.resolve("licences"),
                    "--warden.data-dir=" + tenants.dir.resolve("data-probe"),
                    "--warden.guard.rules.enabled=false", "--warden.guard.embedded.enabled=false",
                    "--warden.models[0].name=bench-model", "--warden.models[0].engine=remote",
                    "--warden.models[0].remote.urls[0]=" + upstream.baseUrl());
            try {
                String port = gateway.getEnvironment().getProperty("local.server.port");
                URI direct = URI.create(upstream.baseUrl() + "/v1/chat/completions");
                URI via = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
                for (int i = 0; i < 300; i++) {
                    first(direct, tenants.playgroundKey);
                    first(via, tenants.playgroundKey);
                }
                double[] d = new double[200];
                double[] g = new double[200];
                for (int i = 0; i < 200; i++) {
                    d[i] = first(direct, tenants.playgroundKey);
                    g[i] = first(via, tenants.playgroundKey);
                }
                Arrays.sort(d);
                Arrays.sort(g);
                System.out.printf("first content event p50: direct %.3f ms, gateway %.3f ms, added %.3f ms; "
                        + "p99: direct %.3f ms, gateway %.3f ms%n", d[100], g[100], g[100] - d[100], d[198], g[198]);
            } finally {
                gateway.close();
            }
        }
        System.exit(0);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static double first(URI uri, String key) throws Exception {
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        double first = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body()))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (first < 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    first = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return first;
    }
}
