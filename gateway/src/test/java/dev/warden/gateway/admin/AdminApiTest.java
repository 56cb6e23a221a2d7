package dev.warden.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.tenant.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API against a real gateway: chat requests go through the gateway to the scripted upstream, and the
 * audit records they leave are then read back, counted, exported, verified, aged out and tampered with.
 * <p>
 * The context has its own audit database, so this class owns its chains (one writer per store).
 * The tampering test runs last: it breaks the {@code playground} chain on purpose.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest extends GatewayTest {

    private static final Path DATA = tempDir();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void adminProperties(DynamicPropertyRegistry registry) {
        // The admin key is the base class's ADMIN_KEY (GatewayTest registers its hash).
        // Its own audit database: the base context (AdminDisabledTest, other gateway tests) has one in the shared
        // data folder, and two writers on one store would fork the chains.
        registry.add("warden.audit.store", () -> DATA.resolve("audit.db").toString());
        registry.add("warden.audit.spill-file", () -> DATA.resolve("audit-spill.jsonl")
                .toString());
    }

    @Autowired
    AuditLog auditLog;

    private HttpCalls http;
    private Instant started;

    @BeforeAll
    void sendChatsThroughTheGateway() {
        UPSTREAM.reset();
        http = new HttpCalls(baseUrl());
        started = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        chat(TENANTS.localKey, "adm-local-1", "What is the capital of France?");
        chat(TENANTS.localKey, "adm-local-2", "And of Italy?");
        // Content rules flag an e-mail address in a prompt (pii.email) by default.
        chat(TENANTS.localKey, "adm-local-3", "Write to jane.doe@example.com about the meeting");
        chat(TENANTS.playgroundKey, "adm-play-1", "Hello");
        chat(TENANTS.playgroundKey, "adm-play-2", "Hello again");
    }

    /** The client's id of each chat (its x-request-id) and the request id the gateway gave it. */
    private final java.util.Map<String, String> ids = new java.util.HashMap<>();

    private void chat(String key, String requestId, String prompt) {
        Reply r = http.post(
                "/v1/chat/completions",
                key,
                "application/json",
                "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}",
                "x-request-id",
                requestId);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("x-client-request-id")).isEqualTo(requestId);
        ids.put(requestId, r.header("x-request-id"));
    }

    /** The gateway's request id of the chat the client called {@code name}. */
    private String id(String name) {
        return ids.get(name);
    }

    private Reply admin(String pathAndQuery) {
        return http.get(pathAndQuery, ADMIN_KEY);
    }

    private String since() {
        return "from=" + URLEncoder.encode(started.toString(), StandardCharsets.UTF_8);
    }

    /** The records' ids as the client chose them (the gateway's own id for records made without a client id). */
    private static List<String> requestIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data")
                .forEach(r -> ids.add(
                        r.path("client_request_id").isString()
                                ? r.path("client_request_id").asString()
                                : r.path("request_id").asString()));
        return ids;
    }

    @Test
    @Order(1)
    void recordsAreQueryableWithFiltersNewestFirst() {
        Reply r = admin("/admin/audit/records?tenant=local&" + since());

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode page = r.json();
        assertThat(requestIds(page)).containsExactly("adm-local-3", "adm-local-2", "adm-local-1");
        assertThat(page.path("next_cursor").isNull()).isTrue();
        JsonNode first = page.path("data").get(0);
        assertThat(first.path("tenant").asString()).isEqualTo("local");
        assertThat(first.path("model").asString()).isEqualTo(MODEL);
        assertThat(first.path("outcome").asString()).isEqualTo("allowed");
        assertThat(first.path("http_status").asInt()).isEqualTo(200);
        assertThat(first.path("key_id").asString()).isEqualTo(ApiKeys.keyId(ApiKeys.hash(TENANTS.localKey)));
        assertThat(first.path("categories").toString()).contains("pii.email");
        assertThat(first.path("hash").asString()).hasSize(64);
        assertThat(first.path("sequence").asLong())
                .isEqualTo(page.path("data").get(1).path("sequence").asLong() + 1);
        assertThat(r.body()).doesNotContain(TENANTS.localKey).doesNotContain(ApiKeys.hash(TENANTS.localKey));

        assertThat(requestIds(admin("/admin/audit/records?request_id=" + id("adm-local-2"))
                        .json()))
                .containsExactly("adm-local-2");
        assertThat(requestIds(admin("/admin/audit/records?category=pii.email&" + since())
                        .json()))
                .containsExactly("adm-local-3");
        assertThat(requestIds(admin("/admin/audit/records?tenant=local&outcome=allowed&model=" + MODEL + "&" + since())
                        .json()))
                .hasSize(3);
        assertThat(requestIds(admin("/admin/audit/records?tenant=local&outcome=blocked_input,rate_limited&" + since())
                        .json()))
                .isEmpty();
        assertThat(requestIds(admin("/admin/audit/records?tenant=local&model=other-model&" + since())
                        .json()))
                .isEmpty();
        assertThat(requestIds(admin("/admin/audit/records?tenant=local&to="
                                + URLEncoder.encode(started.toString(), StandardCharsets.UTF_8))
                        .json()))
                .isEmpty();
        assertThat(requestIds(admin("/admin/audit/records?tenant=playground&" + since())
                        .json()))
                .containsExactly("adm-play-2", "adm-play-1");
    }

    @Test
    @Order(2)
    void pagesFollowTheCursorWithoutGapsOrRepeats() {
        JsonNode first =
                admin("/admin/audit/records?tenant=local&limit=2&" + since()).json();
        assertThat(requestIds(first)).containsExactly("adm-local-3", "adm-local-2");
        assertThat(first.path("has_more").asBoolean()).isTrue();
        String cursor = first.path("next_cursor").asString();
        assertThat(cursor).isNotBlank();

        JsonNode second = admin("/admin/audit/records?tenant=local&limit=2&" + since() + "&cursor=" + cursor)
                .json();

        assertThat(requestIds(second)).containsExactly("adm-local-1");
        assertThat(second.path("next_cursor").isNull()).isTrue();
        assertThat(second.path("has_more").asBoolean()).isFalse();
    }

    @Test
    @Order(3)
    void countsPerBucketByDecisionOutcomeAndCategory() {
        Reply r = admin("/admin/audit/counts?tenant=local&bucket=day&" + since());

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("bucket").asString()).isEqualTo("day");
        long total = 0;
        long allowed = 0;
        long flagged = 0;
        long allowDecisions = 0;
        long piiEmail = 0;
        for (JsonNode bucket : body.path("data")) {
            Instant start = Instant.parse(bucket.path("start").asString());
            assertThat(start.toEpochMilli() % Duration.ofDays(1).toMillis()).isZero();
            total += bucket.path("total").asLong();
            allowed += bucket.path("outcomes").path("allowed").asLong();
            flagged += bucket.path("decisions").path("flag").asLong();
            allowDecisions += bucket.path("decisions").path("allow").asLong();
            piiEmail += bucket.path("categories").path("pii.email").asLong();
        }
        assertThat(total).as(r.body()).isEqualTo(3);
        assertThat(allowed).isEqualTo(3);
        assertThat(flagged).as(r.body()).isEqualTo(1);
        assertThat(allowDecisions).as(r.body()).isEqualTo(2);
        assertThat(piiEmail).isEqualTo(1);

        JsonNode everyone =
                admin("/admin/audit/counts?bucket=minute&" + since()).json();
        long all = 0;
        for (JsonNode bucket : everyone.path("data")) {
            all += bucket.path("total").asLong();
        }
        assertThat(all).isEqualTo(5);
    }

    @Test
    @Order(4)
    void exportsCsvAndJsonLinesAsAttachments() {
        Reply csv = admin("/admin/audit/export?format=csv&tenant=local&" + since());

        assertThat(csv.status()).as(csv.body()).isEqualTo(200);
        assertThat(csv.header("content-type")).startsWith("text/csv");
        assertThat(csv.header("content-disposition")).startsWith("attachment").contains(".csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("tenant,seq,request_id,time,");
        assertThat(lines.get(1)).startsWith("local,").contains("," + id("adm-local-3") + ",");
        assertThat(lines.get(2)).contains("," + id("adm-local-2") + ",");
        assertThat(lines.get(3)).contains("," + id("adm-local-1") + ",");

        Reply jsonl = admin("/admin/audit/export?format=jsonl&" + since());

        assertThat(jsonl.status()).as(jsonl.body()).isEqualTo(200);
        assertThat(jsonl.header("content-type")).startsWith("application/x-ndjson");
        assertThat(jsonl.header("content-disposition")).startsWith("attachment").contains(".jsonl");
        List<String> ids = new ArrayList<>();
        for (String line : jsonl.body().lines().toList()) {
            JsonNode row = JSON.readTree(line);
            assertThat(row.path("hash").asString()).hasSize(64);
            ids.add(row.path("entry").path("clientRequestId").asString());
        }
        assertThat(ids)
                .containsExactlyInAnyOrder("adm-local-1", "adm-local-2", "adm-local-3", "adm-play-1", "adm-play-2");
    }

    @Test
    @Order(5)
    void verifySaysTheChainsAreValid() {
        JsonNode local = admin("/admin/audit/verify?tenant=local").json();

        assertThat(local.path("valid").asBoolean()).as(local.toString()).isTrue();
        assertThat(local.path("checked").asLong()).isEqualTo(3);
        assertThat(local.path("first_broken").isNull()).isTrue();
        assertThat(admin("/admin/audit/verify?chain=playground")
                        .json()
                        .path("checked")
                        .asLong())
                .isEqualTo(2);

        JsonNode all = admin("/admin/audit/verify").json();
        assertThat(all.path("valid").asBoolean()).as(all.toString()).isTrue();
        assertThat(all.path("chains").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(6)
    void effectivePolicyShowsRulesAfterDefaultsButNoKeyHashes() throws IOException {
        Reply r = admin("/admin/tenants/acme/policy");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.path("id").asString()).isEqualTo("acme");
        assertThat(p.path("models").toString()).isEqualTo("[\"llama-3.1-8b-instruct\"]");
        assertThat(p.path("purposes").get(1).path("derivative_model").asString())
                .isEqualTo("Llama-Acme-Support-8B");
        JsonNode guard = p.path("guard");
        assertThat(guard.path("fail_mode").asString()).isEqualTo("closed");
        assertThat(guard.path("input").path("jailbreak").path("action").asString())
                .isEqualTo("block");
        assertThat(guard.path("input").path("jailbreak").path("threshold").asDouble())
                .isEqualTo(0.8);
        assertThat(guard.path("input").path("pii.card").path("action").asString())
                .isEqualTo("redact");
        assertThat(guard.path("output").path("S9").path("threshold").asDouble()).isEqualTo(0.3);
        assertThat(guard.path("output").path("S6").path("action").asString()).isEqualTo("allow");
        // a category the tenant did not mention gets its default from the licence or the built-in rules
        assertThat(guard.path("input").path("S1").path("action").asString()).isNotBlank();
        assertThat(guard.path("input").path("S1").path("source").asString()).isNotEqualTo("tenant");
        assertThat(p.path("streaming").path("mode").asString()).isEqualTo("hold-back");
        assertThat(p.path("streaming").path("window_tokens").asInt()).isEqualTo(64);
        assertThat(p.path("limits").path("key").path("requests").size()).isEqualTo(2);
        assertThat(p.path("limits").path("key").path("concurrent").asInt()).isEqualTo(4);
        assertThat(p.path("limits").path("models").has("llama-3.1-8b-instruct")).isTrue();
        assertThat(p.path("audit").path("retention_days").asInt()).isEqualTo(180);
        assertThat(p.path("audit").path("content_retention_days").asInt()).isEqualTo(30);
        assertThat(p.path("audit").path("legal_hold").asBoolean()).isFalse();
        assertThat(p.path("audit").path("store_content").asBoolean()).isFalse();
        assertThat(p.path("licences").get(0).path("accepted_by").asString()).isEqualTo("jane.doe@acme.example");
        assertThat(p.path("monthly_active_users").asLong()).isEqualTo(120000);
        assertThat(p.path("keys").size()).isEqualTo(2);
        List<String> keyIds = new ArrayList<>();
        p.path("keys").forEach(k -> keyIds.add(k.path("id").asString()));
        assertThat(keyIds).containsExactlyInAnyOrder("5ec65c9c", ApiKeys.keyId(ApiKeys.hash(TENANTS.acmeKey)));
        assertThat(r.body())
                .doesNotContain("5ec65c9c4789dfb4249cadd04b75c17aa6f15f570ceaf7d29065ee2e0f8d6e8a")
                .doesNotContain(ApiKeys.hash(TENANTS.acmeKey))
                .doesNotContain("sha256\"");

        Reply missing = admin("/admin/tenants/nobody/policy");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("tenant_not_found");
        List<String> tenantIds = new ArrayList<>();
        admin("/admin/tenants")
                .json()
                .path("data")
                .forEach(t -> tenantIds.add(t.path("id").asString()));
        assertThat(tenantIds).contains("local", "acme", "playground");
    }

    @Test
    @Order(7)
    void adminEndpointsRefuseTenantKeysAndMissingKeys() {
        Reply none = http.get("/admin/audit/records", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("missing_api_key");
        assertThat(none.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(none.header("x-request-id")).isNotBlank();

        for (String tenantKey : List.of(TENANTS.localKey, TENANTS.acmeKey)) {
            Reply r = http.get("/admin/audit/records", tenantKey);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("invalid_api_key");
            assertThat(r.body()).doesNotContain(tenantKey);
        }
        Reply wrong = http.get("/admin/tenants/local/policy", CreateAdminKeyCommand.generate());
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("invalid_api_key");
        Reply retention = http.post("/admin/audit/retention", TENANTS.localKey, null, "");
        assertThat(retention.status()).isEqualTo(401);

        // and the admin key is no tenant key
        Reply models = http.get("/v1/models", ADMIN_KEY);
        assertThat(models.status()).isEqualTo(401);
    }

    @ParameterizedTest(name = "{0}")
    @Order(8)
    @CsvSource(delimiter = '|', textBlock = """
            /admin/audit/records?limit=0                 | invalid_value              | limit
            /admin/audit/records?limit=5000              | invalid_value              | limit
            /admin/audit/records?limit=ten               | invalid_type               | limit
            /admin/audit/records?from=yesterday          | invalid_value              | from
            /admin/audit/records?from=2026-02-01&to=2026-01-01 | invalid_value        | from
            /admin/audit/records?outcome=exploded        | invalid_value              | outcome
            /admin/audit/records?tenent=local            | invalid_value              | tenent
            /admin/audit/records?tenant=                 | invalid_value              | tenant
            /admin/audit/records?cursor=not-a-cursor     | invalid_value              | cursor
            /admin/audit/counts?bucket=week              | invalid_value              | bucket
            /admin/audit/counts?limit=5                  | invalid_value              | limit
            /admin/audit/export                          | missing_required_parameter | format
            /admin/audit/export?format=xml               | invalid_value              | format
            /admin/audit/export?format=csv&cursor=zzz    | invalid_value              | cursor
            /admin/audit/verify?tenant=a&chain=b         | invalid_value              | chain
            """)
    void badParametersGet400NamingTheParameter(String pathAndQuery, String code, String param) {
        Reply r = admin(pathAndQuery);

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.errorCode()).isEqualTo(code);
        assertThat(r.json().path("error").path("param").asString()).isEqualTo(param);
        assertThat(r.json().path("error").path("message").asString()).contains(param);
    }

    @Test
    @Order(9)
    void wrongMethodsAndUnknownPathsAreOpenAiErrors() {
        Reply get = admin("/admin/audit/retention");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.errorCode()).isEqualTo("method_not_allowed");
        Reply unknown = admin("/admin/nothing-here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
    }

    @Test
    @Order(10)
    void retentionDeletesOldRecordsAndKeepsTheChainVerifiable() throws Exception {
        // Records from 200 days ago cannot be made through the gateway; they go through its real audit log.
        Instant old = Instant.now().minus(Duration.ofDays(200));
        for (int i = 1; i <= 3; i++) {
            append(AuditRecord.builder("adm-old-" + i, "acme")
                    .time(old.plusSeconds(i))
                    .model(MODEL)
                    .build());
        }
        append(AuditRecord.builder("adm-recent", "acme")
                .time(Instant.now())
                .model(MODEL)
                .build());
        append(AuditRecord.builder("adm-held-old", "held")
                .time(old)
                .model(MODEL)
                .build());

        Reply r = http.post("/admin/audit/retention", ADMIN_KEY, null, "");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        JsonNode acme = null;
        for (JsonNode t : body.path("data")) {
            if (t.path("tenant").asString().equals("acme")) {
                acme = t;
            } else if (t.path("tenant").asString().equals("held")) {
                assertThat(t.path("legal_hold").asBoolean()).as(t.toString()).isTrue();
                assertThat(t.path("deleted").asLong()).isZero();
            } else {
                assertThat(t.path("deleted").asLong()).as(t.toString()).isZero();
            }
        }
        assertThat(acme).as(body.toString()).isNotNull();
        assertThat(acme.path("deleted").asLong()).isEqualTo(3);
        assertThat(acme.path("retention_days").asInt()).isEqualTo(180);
        assertThat(acme.path("content_retention_days").asInt()).isEqualTo(30);
        assertThat(acme.path("content_erased").asLong()).isZero();
        assertThat(acme.path("anchor").path("sequence").asLong()).isEqualTo(3);
        assertThat(acme.path("checkpoint").path("request_id").asString()).isEqualTo("retention:acme:3");
        assertThat(body.path("deleted").asLong()).isEqualTo(3);
        assertThat(body.path("complete").asBoolean()).isTrue();

        JsonNode verify = admin("/admin/audit/verify?tenant=acme").json();
        assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.path("checked").asLong()).isEqualTo(2); // the recent record and the checkpoint
        assertThat(verify.path("anchor").path("sequence").asLong()).isEqualTo(3);
        assertThat(requestIds(admin("/admin/audit/records?tenant=acme").json())).containsExactly("adm-recent");

        JsonNode again =
                http.post("/admin/audit/retention", ADMIN_KEY, null, "").json();
        assertThat(again.path("deleted").asLong()).isZero();
        assertThat(requestIds(admin("/admin/audit/records?tenant=held").json())).containsExactly("adm-held-old");

        // Each run is a record of the admin-actions chain, newest first: who ran it and what it deleted where.
        JsonNode runs =
                admin("/admin/audit/actions?action=retention.run").json().path("data");
        assertThat(runs.size()).isEqualTo(2);
        JsonNode first = runs.get(1);
        assertThat(first.path("actor").asString()).startsWith("admin:");
        assertThat(first.path("details").path("deleted").asLong()).isEqualTo(3);
        assertThat(first.path("details").path("tenants").toString()).contains("\"legalHold\":true", "\"held\"");
    }

    @Test
    @Order(11)
    void recordsNameThePolicyVersionInForceAndItsDocumentsAreServed() {
        JsonNode versions = admin("/admin/policy/versions").json();
        String inForce = versions.path("in_force").asString();
        assertThat(inForce).startsWith("sha256:").hasSize(71);
        JsonNode record = admin("/admin/audit/records?tenant=local&limit=1")
                .json()
                .path("data")
                .get(0);
        assertThat(record.path("policy_version").asString()).isEqualTo(inForce);

        JsonNode version = admin("/admin/policy/versions/" + inForce).json();
        assertThat(version.path("intact").asBoolean()).isTrue();
        assertThat(version.path("documents").propertyNames()).contains("tenants.yaml", "licences/llama-3.1.yaml");

        // The first start recorded the version in force as a policy change of the admin chain.
        JsonNode changes =
                admin("/admin/audit/actions?action=policy.change").json().path("data");
        assertThat(changes.size()).isGreaterThanOrEqualTo(1);
        assertThat(changes.get(0).path("details").path("after").asString()).isEqualTo(inForce);
        assertThat(admin("/admin/policy/versions/sha256:nope").status()).isEqualTo(404);
    }

    @Test
    @Order(12)
    void anExportedEvidenceBundleVerifiesOfflineAndOneChangedByteNamesTheRecord() throws Exception {
        Reply r = http.post(
                "/admin/audit/export?tenant=local&" + since(), ADMIN_KEY, "application/x-www-form-urlencoded", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/x-ndjson");
        assertThat(r.header("content-disposition")).contains("attachment", "warden-evidence-local-");
        byte[] bundle = r.body().getBytes(StandardCharsets.UTF_8);
        Path pub = dev.warden.policy.audit.OperatorKey.publicFile(
                TENANTS.dir.resolve("data").resolve("audit-operator.key"));
        java.security.PublicKey key = dev.warden.policy.audit.OperatorKey.parsePublicKey(Files.readString(pub));

        var report = dev.warden.policy.evidence.BundleVerifier.verify(bundle, key);
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isGreaterThanOrEqualTo(3);
        assertThat(r.body()).doesNotContain(TENANTS.localKey).contains("\"included\":false");

        String target = id("adm-local-2");
        int at = r.body().indexOf("\"requestId\":\"" + target + "\"");
        int line = r.body().lastIndexOf('\n', at) + 1;
        int model = r.body().indexOf("\"model\":\"" + MODEL, line);
        assertThat(model).isBetween(line, at);
        byte[] tampered = bundle.clone();
        tampered[model + "\"model\":\"".length()] ^= 0x01;
        var broken = dev.warden.policy.evidence.BundleVerifier.verify(tampered, key);
        assertThat(broken.findings()).anySatisfy(f -> {
            assertThat(f.requestId()).isEqualTo(target);
            assertThat(f.problem()).contains("the entry was altered");
        });

        JsonNode exports =
                admin("/admin/audit/actions?action=audit.export").json().path("data");
        assertThat(exports.get(0).path("actor").asString())
                .isEqualTo("admin:" + ApiKeys.keyId(ApiKeys.hash(ADMIN_KEY)));
        assertThat(exports.get(0).path("subject").asString()).isEqualTo("local");
        assertThat(http.post("/admin/audit/export?tenant=local&from=2026-01-02&to=2026-01-01", ADMIN_KEY, null, "")
                        .errorCode())
                .isNotNull();
    }

    private void append(AuditRecord record) throws Exception {
        CompletableFuture<Void> done = auditLog.append(record);
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    @Order(6)
    void verifyChecksTheChainsAgainstTheSignedCheckpointAndShowsItWithThePublicKey() throws IOException {
        var checkpoint = auditLog.checkpoint().join().orElseThrow();
        Path keyFile = TENANTS.dir.resolve("data").resolve("audit-operator.key");

        JsonNode all = admin("/admin/audit/verify").json();

        assertThat(all.path("valid").asBoolean()).as(all.toString()).isTrue();
        assertThat(all.path("checkpoints_checked").asBoolean()).isTrue();
        assertThat(all.path("operator_public_key").asString())
                .isEqualTo(Files.readString(dev.warden.policy.audit.OperatorKey.publicFile(keyFile))
                        .strip());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        assertThat(all.path("checkpoints")).anySatisfy(c -> {
            assertThat(c.path("signed").asBoolean()).isTrue();
            assertThat(c.path("time").asString()).isEqualTo(checkpoint.time().toString());
            assertThat(c.path("body").asString()).contains("\"tenant\":\"local\"");
        });
    }

    @Test
    @Order(100)
    void verifyNamesTheAlteredRecordAsTheFirstBrokenLink() throws SQLException {
        JsonNode target = admin("/admin/audit/records?request_id=" + id("adm-play-1"))
                .json()
                .path("data")
                .get(0);
        long seq = target.path("sequence").asLong();
        String promptHash = target.path("prompt_sha256").asString();
        assertThat(promptHash).hasSize(64);

        // Someone with write access to the database rewrites what the prompt was.
        Path db = DATA.resolve("audit.db");
        assertThat(db).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE audit_entry SET body = replace(body, ?, ?) WHERE tenant = 'playground' AND seq = ?")) {
                update.setString(1, promptHash);
                update.setString(2, "0".repeat(64));
                update.setLong(3, seq);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }

        JsonNode report = admin("/admin/audit/verify?tenant=playground").json();

        assertThat(report.path("valid").asBoolean()).isFalse();
        JsonNode broken = report.path("first_broken");
        assertThat(broken.path("sequence").asLong()).as(report.toString()).isEqualTo(seq);
        assertThat(broken.path("request_id").asString()).isEqualTo(id("adm-play-1"));
        assertThat(broken.path("reason").asString()).contains("altered");
        assertThat(report.path("checked").asLong()).isEqualTo(seq - 1);

        JsonNode all = admin("/admin/audit/verify").json();
        assertThat(all.path("valid").asBoolean()).isFalse();
        assertThat(all.path("first_broken").path("request_id").asString()).isEqualTo(id("adm-play-1"));
        assertThat(admin("/admin/audit/verify?tenant=local")
                        .json()
                        .path("valid")
                        .asBoolean())
                .isTrue();
    }

    @Test
    @Order(101)
    void verifyReportsTheNewestRecordsDeletedAfterTheSignedCheckpoint() throws Exception {
        assertThat(auditLog.checkpoint().join()).as("a signed checkpoint").isPresent();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DATA.resolve("audit.db"));
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            assertThat(s.executeUpdate("DELETE FROM audit_entry WHERE tenant = 'local' AND seq = "
                            + "(SELECT MAX(seq) FROM audit_entry WHERE tenant = 'local')"))
                    .isEqualTo(1);
        }

        JsonNode report = admin("/admin/audit/verify?tenant=local").json();

        assertThat(report.path("valid").asBoolean()).as(report.toString()).isFalse();
        assertThat(report.path("first_broken").path("reason").asString())
                .contains("were deleted")
                .contains("signed checkpoint");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("warden-admin-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
