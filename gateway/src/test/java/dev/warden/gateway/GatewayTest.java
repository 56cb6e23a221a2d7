package dev.warden.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.TinyGguf;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real gateway on a random port in front of a real scripted OpenAI-compatible upstream, with the shipped
 * licences and a tenants file made from the shipped example.
 */
@Tag("slow")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class GatewayTest {

    protected static final String MODEL = "test-model";
    protected static final String UPSTREAM_MODEL = "upstream-model";
    protected static final String TINY_MODEL = "tiny-llama";
    protected static final ScriptedOpenAiServer UPSTREAM = ScriptedOpenAiServer.start();
    protected static final TestTenants TENANTS = TestTenants.create();
    /** Opens /admin and the metrics; {@link AdminDisabledGatewayTest} runs without one. */
    protected static final String ADMIN_KEY = dev.warden.gateway.admin.CreateAdminKeyCommand.generate();

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void gatewayProperties(DynamicPropertyRegistry registry) {
        registry.add("warden.tenants-file", () -> TENANTS.file.toString());
        registry.add(
                "warden.licences-dir",
                () -> TestTenants.CONFIG.resolve("licences").toString());
        // A placeholder, so that a test class whose clock runs ahead (FileExpiryTest) keeps its files to itself.
        registry.add("warden.data-dir", () -> "${test.data-dir:" + TENANTS.dir.resolve("data") + "}");
        registry.add("warden.max-body-size", () -> "64KB");
        // Test classes that change a property get an application context of their own, and contexts stay cached;
        // two of them writing one store under one instance id would fork its chains (the second writer's records
        // then wait in its spill file). A name per context keeps each context's chains its own. Bound once per
        // context, so one context keeps one name.
        registry.add("warden.audit.instance-id", () -> "test-${random.uuid}");
        // A placeholder, so that AdminDisabledGatewayTest can switch it off (a subclass cannot override this value).
        registry.add(
                "warden.admin.key-sha256",
                () -> "${test.admin-key-sha256:" + dev.warden.policy.tenant.ApiKeys.hash(ADMIN_KEY) + "}");
        registry.add("warden.models[0].name", () -> MODEL);
        registry.add("warden.models[0].engine", () -> "remote");
        registry.add("warden.models[0].licence", () -> "llama-3.1");
        registry.add("warden.models[0].context-length", () -> "8192");
        registry.add("warden.models[0].remote.urls[0]", UPSTREAM::baseUrl);
        registry.add("warden.models[0].remote.upstream-model", () -> UPSTREAM_MODEL);
        // The in-process engine on the tiny GGUF the tests generate: one slot, no queue, so overload is testable.
        registry.add("warden.models[1].name", () -> TINY_MODEL);
        registry.add("warden.models[1].engine", () -> "llama-cpp");
        registry.add("warden.models[1].licence", () -> "llama-3.1");
        registry.add("warden.models[1].context-length", () -> "512");
        registry.add("warden.models[1].llama-cpp.gguf", () -> TinyGguf.path().toString());
        registry.add("warden.models[1].llama-cpp.slots", () -> "1");
        registry.add("warden.models[1].llama-cpp.queue", () -> "0");
        registry.add("warden.models[1].llama-cpp.threads", () -> "2");
    }

    /** Every test starts with a fresh script: a reply queued by a test that ended early must not leak into the next. */
    @org.junit.jupiter.api.BeforeEach
    void freshUpstreamScript() {
        UPSTREAM.reset();
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The official OpenAI Java client as a tenant's application sets it up, against this gateway: no retries, so that
     * a test sees each answer; 20 s a call. Closed by the test.
     */
    protected OpenAIClient openAi(String key) {
        return openAi(key, Duration.ofSeconds(20));
    }

    /** {@link #openAi(String)} with calls that may take {@code timeout} (an in-process model on a busy machine). */
    protected OpenAIClient openAi(String key, Duration timeout) {
        return OpenAIOkHttpClient.builder()
                .apiKey(key)
                .baseUrl(baseUrl() + "/v1")
                .maxRetries(0)
                .timeout(timeout)
                .build();
    }

    protected static Path config() {
        return TestTenants.CONFIG;
    }
}
