package dev.warden.gateway.security;

import static dev.warden.gateway.security.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.ModelProperties;
import dev.warden.gateway.PrivateFiles;
import dev.warden.gateway.models.EngineFactory;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.security.RawHttp.Response;
import dev.warden.inference.testing.ScriptedReply;
import dev.warden.policy.audit.RefusedAuthentication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.ReactorResourceFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The reproductions of issue 16 that belong to the web layer, each against the real server. */
class SecurityReproductionsTest extends GatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CHAT =
            "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", " + "\"content\": \"hi\"}]}";

    private Response send(String method, String target, String body, String... headers) {
        return RawHttp.exchange(port, request(method, target, body, headers), Duration.ofSeconds(10));
    }

    @Test
    void theAuditLogIsNotExportedThroughAMatrixParameter() {
        Response r = send("GET", "/admin;x/audit/export?format=jsonl", null);

        assertThat(r.status()).isEqualTo(400);
        assertThat(AccessProbe.openAiError(r)).as(r.toString()).isTrue();
        assertThat(r.body()).contains("invalid_path").doesNotContain("\"entry\"");
    }

    @Test
    void aMatrixParameterOnAPostRouteIsA400AndIsAudited() {
        Response r = send("POST", "/v1;x/chat/completions", CHAT, "Content-Type: application/json");

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        String id = r.header("x-request-id");
        JsonNode record = awaitRefusal(id);
        assertThat(record.path("rule").asString()).isEqualTo("non_canonical_path");
        assertThat(record.path("http_status").asInt()).isEqualTo(400);
        assertThat(record.path("origin").path("route").asString()).isEqualTo("/v1;x/chat/completions");
    }

    @Test
    void encodedLettersReachNoRouteWithoutAKey() {
        assertThat(send("GET", "/%76%31/models", null).status()).isEqualTo(400);
        assertThat(send("GET", "/%61dmin/tenants", null).status()).isEqualTo(400);
        assertThat(send("GET", "/v1;x/models", null).status()).isEqualTo(400);
    }

    @Test
    void anUnparseableContentTypeIs415InOpenAiShape() {
        Response r = send(
                "POST",
                "/v1/chat/completions",
                CHAT,
                "Authorization: Bearer " + TENANTS.localKey,
                "Content-Type: json");

        assertThat(r.status()).as(r.toString()).isEqualTo(415);
        assertThat(AccessProbe.openAiError(r)).isTrue();
        assertThat(r.body()).contains("unsupported_media_type");
    }

    @Test
    void badJsonMessagesNameNoLibraryClass() {
        String deep = "{\"model\": \"x\", \"messages\": " + "[".repeat(2000) + "]".repeat(2000) + "}";
        String longName = "{\"" + "k".repeat(60_000) + "\": 1}";
        for (String body : new String[] {deep, longName, "{\"model\": ", "{\"a\": nul}", "\u0000"}) {
            for (String route : new String[] {"/v1/chat/completions", "/v1/moderations"}) {
                Response r = send(
                        "POST",
                        route,
                        body,
                        "Authorization: Bearer " + TENANTS.localKey,
                        "Content-Type: application/json");

                assertThat(r.status()).as(r.toString()).isBetween(400, 499);
                assertThat(AccessProbe.openAiError(r)).as(r.toString()).isTrue();
                assertThat(r.body())
                        .doesNotContainIgnoringCase("jackson")
                        .doesNotContain("StreamReadConstraints")
                        .doesNotContain("JsonNode")
                        .doesNotContain("Exception");
            }
        }
    }

    @Test
    void aMissingModelFileIsNamedBySettingNotByPath() {
        Path missing = TENANTS.dir.resolve("nowhere/model.gguf");
        // a llama-cpp model: no event loops needed, so the factory's are never started
        ServedModel model = new EngineFactory(new ReactorResourceFactory())
                .open(new ModelProperties(
                        "lost",
                        "llama-cpp",
                        512,
                        "llama-3.1",
                        new ModelProperties.LlamaCpp(missing, 1, 0, 1, null),
                        null));

        assertThat(model.unavailable())
                .contains("warden.models[].llama-cpp.gguf")
                .contains("lost")
                .doesNotContain(missing.toAbsolutePath().toString())
                .doesNotContain(TENANTS.dir.toString());
    }

    @Test
    void securityHeadersOnAnswersAndRefusals() {
        UPSTREAM.enqueue(ScriptedReply.text("ok"));
        Response served = send(
                "POST",
                "/v1/chat/completions",
                CHAT,
                "Authorization: Bearer " + TENANTS.localKey,
                "Content-Type: application/json");
        Response refused = send("POST", "/v1/chat/completions", CHAT, "Content-Type: application/json");
        Response probe = send("GET", "/actuator/health/readiness", null);

        assertThat(served.status()).isEqualTo(200);
        assertThat(served.header("Cache-Control")).isEqualTo("no-store");
        for (Response r : new Response[] {served, refused, probe}) {
            assertThat(r.header("X-Content-Type-Options")).as(r.toString()).isEqualTo("nosniff");
        }
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(refused.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void twoAuthorizationHeadersAreAmbiguousNotFirstWins() {
        for (String[] pair : new String[][] {
            {TENANTS.localKey, AccessProbe.NOBODYS_KEY},
            {AccessProbe.NOBODYS_KEY, TENANTS.localKey},
            {TENANTS.localKey, TENANTS.acmeKey}
        }) {
            Response r = send(
                    "GET", "/v1/models", null, "Authorization: Bearer " + pair[0], "Authorization: Bearer " + pair[1]);

            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body()).contains("ambiguous_authorization");
        }
        Response admin = send(
                "GET",
                "/admin/tenants",
                null,
                "Authorization: Bearer " + ADMIN_KEY,
                "Authorization: Bearer " + AccessProbe.NOBODYS_KEY);
        assertThat(admin.status()).isEqualTo(400);
    }

    @Test
    void theAuditDatabaseIsReadableByItsOwnerOnly() throws Exception {
        Path data = TENANTS.dir.resolve("data");

        assertThat(Files.getPosixFilePermissions(data.resolve("audit.db"))).isEqualTo(PrivateFiles.OWNER_ONLY);
        assertThat(Files.getPosixFilePermissions(data.resolve("audit-spill.jsonl")))
                .isEqualTo(PrivateFiles.OWNER_ONLY);
        for (String journal : new String[] {"audit.db-wal", "audit.db-shm", "audit.db-journal"}) {
            if (Files.exists(data.resolve(journal))) {
                assertThat(Files.getPosixFilePermissions(data.resolve(journal)))
                        .as(journal)
                        .isEqualTo(PrivateFiles.OWNER_ONLY);
            }
        }
    }

    /**
     * The refusal is recorded after the 400 went out, and refusals are recorded at a bounded rate that other tests
     * of this context may have used up this second: polled for, with a fresh refusal every two seconds (once the
     * bucket has refilled) until one of them shows up.
     */
    private JsonNode awaitRefusal(String firstId) {
        java.util.List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>(java.util.List.of(firstId));
        long[] lastSent = {System.nanoTime()};
        java.util.concurrent.atomic.AtomicReference<JsonNode> found =
                new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Response records = send(
                            "GET",
                            "/admin/audit/records?limit=200&tenant=" + RefusedAuthentication.CHAIN,
                            null,
                            "Authorization: Bearer " + ADMIN_KEY);
                    for (JsonNode record : JSON.readTree(records.body()).path("data")) {
                        if (ids.contains(record.path("request_id").asString())) {
                            found.set(record);
                            return true;
                        }
                    }
                    if (System.nanoTime() - lastSent[0] > 2_000_000_000L) {
                        ids.add(send("POST", "/v1;x/chat/completions", CHAT, "Content-Type: application/json")
                                .header("x-request-id"));
                        lastSent[0] = System.nanoTime();
                    }
                    return false;
                });
        return found.get();
    }
}
