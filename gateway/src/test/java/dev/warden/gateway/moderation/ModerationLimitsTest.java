package dev.warden.gateway.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.audit.Sha256;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The moderation endpoints pass the same limit and audit stages as chat: a tenant limited to three requests a
 * minute is refused the fourth with 429 and {@code Retry-After}, and every call, refused or answered, leaves an
 * audit record with its verdicts (never the content, for a tenant that does not store content).
 */
@Timeout(60)
class ModerationLimitsTest extends GatewayTest {

    @Autowired
    AuditLog auditLog;

    @Autowired
    FingerprintKey fingerprints;

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    @Test
    void aTenantLimitedToThreeRequestsAMinuteGets429WithRetryAfterOnItsFourthModerationAndEveryCallIsAudited() {
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(http.post(
                    "/v1/moderations",
                    TENANTS.moderatedKey,
                    "application/json",
                    "{\"input\": [\"hello there\", \"mail me at jane.doe@example.com\"]}"));
        }

        for (Reply r : replies.subList(0, 3)) {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("results").get(1).path("flagged").asBoolean())
                    .isTrue();
        }
        assertThat(replies.get(0).header("x-ratelimit-limit-requests")).isEqualTo("3");
        Reply refused = replies.get(3);
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("rate_limit_exceeded");
        assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(1L, 60L);

        List<AuditRecord> records = records("moderated");
        assertThat(records).hasSize(4);
        for (AuditRecord answered : records.subList(0, 3)) {
            assertThat(answered.outcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(answered.httpStatus()).isEqualTo(200);
            assertThat(answered.purpose()).isEqualTo("moderation");
            assertThat(answered.model()).isEqualTo(ModerationHandler.GUARD_MODEL);
            // both inputs' verdicts, from every classifier the response says ran
            List<String> ran = new ArrayList<>();
            replies.get(0)
                    .json()
                    .path("results")
                    .get(0)
                    .path("metadata")
                    .path("classifiers")
                    .forEach(c -> ran.add(c.asString()));
            assertThat(answered.classifiers())
                    .containsExactlyInAnyOrderElementsOf(ran.stream().distinct().toList());
            assertThat(answered.verdicts()).hasSize(2 * ran.size());
            // the flagged categories are those the response flagged
            List<String> flagged = new ArrayList<>();
            replies.get(0).json().path("results").forEach(result -> result.path("categories")
                    .properties()
                    .forEach(e -> {
                        if (e.getValue().asBoolean()) {
                            flagged.add(e.getKey());
                        }
                    }));
            assertThat(answered.categories()).isNotEmpty();
            assertThat(flagged).containsAll(answered.categories());
            assertThat(answered.verdicts())
                    .anySatisfy(v -> assertThat(v.scores()).containsEntry("pii.email", 1.0));
            assertThat(answered.decision())
                    .isEqualTo(replies.get(0)
                            .json()
                            .path("results")
                            .get(1)
                            .path("metadata")
                            .path("action")
                            .asString());
            // keyed: the log alone cannot confirm a guessed input
            String prompt = "hello there\nmail me at jane.doe@example.com";
            assertThat(answered.fingerprint()).isEqualTo(FingerprintKey.ALGORITHM);
            assertThat(answered.promptSha256())
                    .isEqualTo(fingerprints.of(prompt))
                    .isNotEqualTo(Sha256.ofText(prompt));
            assertThat(answered.content()).isNull();
        }
        AuditRecord limited = records.get(3);
        assertThat(limited.outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(limited.httpStatus()).isEqualTo(429);
        assertThat(limited.purpose()).isEqualTo("moderation");
        assertThat(limited.verdicts()).isEmpty();
    }

    @Test
    void runShieldIsLimitedAndAuditedLikeModerations() {
        String body = "{\"shield_id\": \"content-rules\", \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"call 555-867-5309\"}]}";
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(http.post("/v1/safety/run-shield", TENANTS.shieldedKey, "application/json", body));
        }

        for (Reply r : replies.subList(0, 3)) {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json()
                            .path("violation")
                            .path("metadata")
                            .path("violation_type")
                            .asString())
                    .contains("pii.phone");
        }
        assertThat(replies.get(3).status()).isEqualTo(429);
        assertThat(Long.parseLong(replies.get(3).header("retry-after"))).isBetween(1L, 60L);

        List<AuditRecord> records = records("shielded");
        assertThat(records).hasSize(4);
        for (AuditRecord answered : records.subList(0, 3)) {
            assertThat(answered.outcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(answered.purpose()).isEqualTo("run-shield");
            // only the chosen shield's verdicts: what the caller was told
            assertThat(answered.classifiers()).containsExactly("content-rules");
            assertThat(answered.categories()).contains("pii.phone");
            assertThat(answered.decision())
                    .isEqualTo(replies.get(0)
                            .json()
                            .path("violation")
                            .path("metadata")
                            .path("action")
                            .asString());
            assertThat(answered.promptSha256()).matches("[0-9a-f]{64}");
            assertThat(answered.content()).isNull();
        }
        assertThat(records.get(3).outcome()).isEqualTo(Outcome.RATE_LIMITED);
    }

    /** The tenant's records, oldest first; each call's record is durable before its response leaves. */
    private List<AuditRecord> records(String tenant) {
        return auditLog
                .store()
                .query(AuditQuery.builder().tenant(tenant).limit(100).build())
                .entries()
                .stream()
                .sorted(Comparator.comparingLong(e -> e.seq()))
                .map(e -> (AuditRecord) e.entry())
                .toList();
    }
}
