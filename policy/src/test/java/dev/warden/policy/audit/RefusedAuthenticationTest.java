package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefusedAuthenticationTest {

    @TempDir
    Path dir;

    @Test
    void aRefusedRequestIsRecordedInTheReservedChainWithReasonOriginAndKeyIdOnly() {
        AuditRecord r = RefusedAuthentication.record(
                "req-1",
                Instant.parse("2026-11-28T07:00:00Z"),
                "/v1/chat/completions",
                "192.0.2.7",
                "invalid_api_key",
                "1a2b3c4d");

        assertThat(r.tenant()).isEqualTo(RefusedAuthentication.CHAIN);
        assertThat(r.outcome()).isEqualTo(Outcome.UNAUTHENTICATED);
        assertThat(r.decision()).isEqualTo("unauthenticated");
        assertThat(r.rule()).isEqualTo("invalid_api_key");
        assertThat(r.httpStatus()).isEqualTo(401);
        assertThat(r.keyId()).isEqualTo("1a2b3c4d");
        assertThat(r.origin()).isEqualTo(new AuditRecord.Origin("/v1/chat/completions", "192.0.2.7"));
        String canonical = CanonicalJson.text(r);
        assertThat(canonical)
                .contains("\"origin\":{\"clientAddress\":\"192.0.2.7\",\"route\":\"/v1/chat/completions\"}");
        assertThat(CanonicalJson.parse(canonical)).isEqualTo(r);
    }

    @Test
    void aLongPathIsCut() {
        AuditRecord r = RefusedAuthentication.record(
                "req-2", Instant.now(), "/v1/" + "a".repeat(5000), null, "missing_api_key", null);

        assertThat(r.origin().route())
                .hasSize(RefusedAuthentication.MAX_ROUTE_LENGTH)
                .startsWith("/v1/aaa");
        assertThat(r.origin().clientAddress()).isNull();
        assertThat(CanonicalJson.text(r)).doesNotContain("keyId").doesNotContain("clientAddress");
    }

    @Test
    void noTenantCanTakeTheReservedChainsId() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: "%s"
                """.formatted(RefusedAuthentication.CHAIN));

        assertThatThrownBy(() -> TenantDirectory.load(tenants, LicenceCatalog.empty()))
                .hasMessageContaining("tenant ids use letters, digits");
    }
}
