package dev.warden.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.RefusedAuthentication;
import dev.warden.policy.tenant.ApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Refused authentications through a real gateway land in the reserved audit chain, read back through the admin
 * API: one record per refusal, with reason, route, client address and key id but never the key. Beyond the
 * configured rate they are only counted, and retention ages them out by their own period.
 * <p>
 * Its own audit database (one writer per store) and a low rate, so the flood is small; the tests run in order
 * because the flood empties the rate bucket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthFailureAuditTest extends GatewayTest {

    private static final Path DATA = tempDir();
    private static final int RATE = 3;
    private static final String CHAT =
            "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", " + "\"content\": \"hi\"}]}";
    /** The right shape (wdn- and 40 base62 characters), but no tenant's key. */
    private static final String WRONG_KEY = "wdn-" + "Zz9".repeat(13) + "Q";

    private static final String RECORDS = "/admin/audit/records?limit=100&tenant=" + RefusedAuthentication.CHAIN;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // The admin key is the base class's ADMIN_KEY (GatewayTest registers its hash).
        registry.add("warden.audit.store", () -> DATA.resolve("audit.db").toString());
        registry.add("warden.audit.spill-file", () -> DATA.resolve("audit-spill.jsonl")
                .toString());
        registry.add("warden.audit.auth-failures-per-second", () -> String.valueOf(RATE));
        registry.add("warden.audit.auth-failures-retention-days", () -> "30");
    }

    @Autowired
    MeterRegistry metrics;

    @Autowired
    AuditLog auditLog;

    @Autowired
    dev.warden.gateway.audit.AuthFailureAudit authFailures;

    private HttpCalls http;

    @BeforeAll
    void client() {
        http = new HttpCalls(baseUrl());
    }

    @Test
    @Order(1)
    void retentionAgesOutTheReservedChainByItsOwnPeriod() throws Exception {
        // A refusal from 40 days ago cannot be made through the gateway; it goes through its real audit log.
        auditLog.append(RefusedAuthentication.record(
                        "auth-old",
                        Instant.now().minus(Duration.ofDays(40)),
                        "/v1/models",
                        "192.0.2.1",
                        "invalid_api_key",
                        null))
                .get(10, TimeUnit.SECONDS);

        Reply r = http.post("/admin/audit/retention", ADMIN_KEY, null, "");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode reserved = null;
        for (JsonNode t : r.json().path("data")) {
            if (t.path("tenant").asString().equals(RefusedAuthentication.CHAIN)) {
                reserved = t;
            }
        }
        assertThat(reserved).as(r.body()).isNotNull();
        assertThat(reserved.path("retention_days").asInt()).isEqualTo(30);
        assertThat(reserved.path("deleted").asLong()).isEqualTo(1);
        assertThat(r.json().path("skipped").toString()).doesNotContain(RefusedAuthentication.CHAIN);
        assertThat(checked()).isEqualTo(1); // the checkpoint
        assertThat(http.post("/admin/audit/retention?tenant=" + RefusedAuthentication.CHAIN, ADMIN_KEY, null, "")
                        .json()
                        .path("deleted")
                        .asLong())
                .isZero();
    }

    @Test
    @Order(2)
    void aMissingAndAWrongKeyEachLeaveOneRecordWithReasonAndKeyIdButNotTheKey() {
        long before = checked();
        assertThat(http.post("/v1/chat/completions", null, "application/json", CHAT, "x-request-id", "auth-missing")
                        .errorCode())
                .isEqualTo("missing_api_key");
        assertThat(http.post("/v1/chat/completions", WRONG_KEY, "application/json", CHAT, "x-request-id", "auth-wrong")
                        .errorCode())
                .isEqualTo("invalid_api_key");

        // The gateway's request id is its own; the client's x-request-id is kept as client_request_id.
        List<JsonNode> records =
                awaitRecords(r -> r.path("client_request_id").asString().matches("auth-(missing|wrong)"), 2);

        assertThat(records)
                .extracting(r -> r.path("client_request_id").asString())
                .containsExactlyInAnyOrder("auth-missing", "auth-wrong");
        JsonNode missing = only(records, "auth-missing");
        assertThat(missing.path("tenant").asString()).isEqualTo(RefusedAuthentication.CHAIN);
        assertThat(missing.path("outcome").asString()).isEqualTo("unauthenticated");
        assertThat(missing.path("decision").asString()).isEqualTo("unauthenticated");
        assertThat(missing.path("rule").asString()).isEqualTo("missing_api_key");
        assertThat(missing.path("http_status").asInt()).isEqualTo(401);
        assertThat(missing.path("key_id").isNull()).as(missing.toString()).isTrue();
        assertThat(missing.path("origin").path("route").asString()).isEqualTo("/v1/chat/completions");
        assertThat(missing.path("origin").path("client_address").asString()).isEqualTo("127.0.0.1");

        JsonNode wrong = only(records, "auth-wrong");
        assertThat(wrong.path("rule").asString()).isEqualTo("invalid_api_key");
        assertThat(wrong.path("key_id").asString())
                .isEqualTo(ApiKeys.keyId(ApiKeys.hash(WRONG_KEY)))
                .hasSize(8);

        String everything = http.get(
                        "/admin/audit/export?format=jsonl&tenant=" + RefusedAuthentication.CHAIN, ADMIN_KEY)
                .body();
        assertThat(everything).contains("auth-wrong").doesNotContain(WRONG_KEY).doesNotContain(ApiKeys.hash(WRONG_KEY));

        assertThat(checked()).isEqualTo(before + 2);
    }

    @Test
    @Order(3)
    void beyondTheRateRefusalsAreOnlyCountedAndTheChainStillVerifies() {
        long before = checked();
        // the bounds below need the bucket full, whatever the tests before took from it (it refills in a second)
        await().atMost(Duration.ofSeconds(5)).until(() -> authFailures.budgetLeft() == RATE);
        double droppedBefore = dropped();
        int sent = 30;

        long start = System.nanoTime();
        for (int i = 0; i < sent; i++) {
            Reply r = http.post(
                    "/v1/chat/completions", WRONG_KEY, "application/json", CHAT, "x-request-id", "flood-" + i);
            assertThat(r.status()).isEqualTo(401);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        long dropped = Math.round(dropped() - droppedBefore);
        long admitted = sent - dropped;
        // A full bucket, plus what refilled while the flood was being sent.
        assertThat(admitted).isBetween((long) RATE, RATE + (long) Math.ceil(seconds * RATE));
        assertThat(dropped).isPositive();
        assertThat(awaitRecords(r -> r.path("client_request_id").asString().startsWith("flood-"), (int) admitted))
                .hasSize((int) admitted);
        assertThat(http.get("/actuator/prometheus", ADMIN_KEY).body())
                .containsPattern("warden_audit_auth_failures_dropped_total(\\{[^}]*\\})? " + dropped + "\\.0");

        assertThat(checked()).isEqualTo(before + admitted);
    }

    /** Verifies the reserved chain and says how many entries it checked. */
    private long checked() {
        JsonNode verify = http.get("/admin/audit/verify?tenant=" + RefusedAuthentication.CHAIN, ADMIN_KEY)
                .json();
        assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
        return verify.path("checked").asLong();
    }

    private double dropped() {
        return metrics.counter("warden.audit.auth.failures.dropped").count();
    }

    /** The records are written after the 401 went out, so they are polled for; then exactly {@code expected}. */
    private List<JsonNode> awaitRecords(Predicate<JsonNode> which, int expected) {
        await("audit records")
                .atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> records(which).size() >= expected);
        // A record written later than expected would show up while the count is held.
        await("exactly " + expected + " audit records")
                .during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(records(which)).hasSize(expected));
        return records(which);
    }

    private List<JsonNode> records(Predicate<JsonNode> which) {
        Reply r = http.get(RECORDS, ADMIN_KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode record : r.json().path("data")) {
            if (which.test(record)) {
                found.add(record);
            }
        }
        return found;
    }

    private static JsonNode only(List<JsonNode> records, String requestId) {
        List<JsonNode> matching = records.stream()
                .filter(r -> r.path("client_request_id").asString().equals(requestId))
                .toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("warden-auth-audit-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
