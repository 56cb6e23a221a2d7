package dev.warden.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.gateway.admin.CreateAdminKeyCommand;
import dev.warden.policy.tenant.ApiKeys;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway with the console on, an auditor key, an auditor key with the content-read grant, and the base class's
 * admin key; its own audit database, so the console tests own their chains. The browser test and the HTTP-level
 * tests share this context.
 */
abstract class ConsoleGatewayTest extends GatewayTest {

    static final String AUDITOR_KEY = CreateAdminKeyCommand.generate();
    static final String READER_KEY = CreateAdminKeyCommand.generate();
    private static final Path DATA = tempDir();

    @DynamicPropertySource
    static void consoleProperties(DynamicPropertyRegistry registry) {
        registry.add("warden.audit.store", () -> DATA.resolve("audit.db").toString());
        registry.add("warden.audit.spill-file", () -> DATA.resolve("audit-spill.jsonl")
                .toString());
        registry.add("warden.admin.keys[0].sha256", () -> ApiKeys.hash(AUDITOR_KEY));
        registry.add("warden.admin.keys[0].role", () -> "auditor");
        registry.add("warden.admin.keys[1].sha256", () -> ApiKeys.hash(READER_KEY));
        registry.add("warden.admin.keys[1].role", () -> "auditor");
        registry.add("warden.admin.keys[1].grants[0]", () -> "content-read");
        registry.add("warden.console.idle-timeout", () -> "PT10M");
        // These tests are about what the console shows of the decisions, not about the guard's speed: generous
        // deadlines, so that a cold start on a busy machine does not turn the traffic they send into timeouts.
        registry.add("warden.guard.rules.deadline", () -> "10s");
        registry.add("warden.guard.embedded.deadline", () -> "20s");
    }

    static Path tempDir() {
        try {
            return java.nio.file.Files.createTempDirectory("warden-console-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A chat through the gateway; returns the gateway's request id. */
    String chat(String key, String prompt, int expectedStatus) {
        Reply r = new HttpCalls(baseUrl())
                .post(
                        "/v1/chat/completions",
                        key,
                        "application/json",
                        "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                                + JsonMapper.builder().build().writeValueAsString(prompt) + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(expectedStatus);
        return r.header("x-request-id");
    }

    /** A browser-like client: keeps cookies, follows no redirect, reads forms' CSRF fields. */
    final class Browser {
        final CookieManager cookies = new CookieManager();
        final HttpClient client = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
        }

        HttpResponse<String> post(String path, String form) {
            return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return client.send(
                        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** {@code _csrf=...} from the first form of the page at {@code path}. */
        String csrf(String path) {
            HttpResponse<String> page = get(path);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            return csrfOf(page.body());
        }

        /** Signs in through the form; returns the response to the form's POST. */
        HttpResponse<String> signIn(String key) {
            return post("/console/login", csrf("/console/login") + "&key=" + form(key));
        }
    }

    static String csrfOf(String html) {
        Matcher m = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")
                .matcher(html);
        assertThat(m.find()).as("a CSRF field in " + html).isTrue();
        return m.group(1) + "=" + form(m.group(2));
    }

    static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
