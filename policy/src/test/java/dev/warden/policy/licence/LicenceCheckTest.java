package dev.warden.policy.licence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.Direction;
import dev.warden.policy.decision.Action;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LicenceCheckTest {

    static final LicenceCatalog LICENCES = LicenceCatalog.load(Path.of("../config/licences"));
    static TenantDirectory directory;

    @BeforeAll
    static void tenants(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tenants.yaml");
        Files.writeString(file, """
                tenants:
                  - id: acme
                    models: [llama-3.1-8b-instruct, llama-3.2-11b-vision]
                    purposes:
                      - chat
                      - name: training
                        derivative-model: Llama-Acme-8B
                      - name: distillation
                        derivative-model: Acme-Small
                    monthly-active-users: 700000000
                    licences:
                      - {id: llama-3.1, version: "2024-07-23", accepted-by: jane@acme.example, accepted-at: 2026-01-15T10:00:00Z}
                      - {id: llama-3.2, version: "2024-09-25", accepted-by: jane@acme.example, accepted-at: 2026-01-15T10:00:00Z}
                  - id: old
                    licences:
                      - {id: llama-3.1, version: "2024-01-01", accepted-by: bob@old.example, accepted-at: 2025-02-01}
                  - id: giant
                    monthly-active-users: 700000001
                    licences:
                      - {id: llama-3.1, version: "2024-07-23", accepted-by: ceo@giant.example, accepted-at: 2026-01-01}
                  - id: eu
                    eu-licensee: true
                    licences:
                      - {id: llama-3.2, version: "2024-09-25", accepted-by: anna@eu.example, accepted-at: 2026-01-01}
                      - {id: llama-3.1, version: "2024-07-23", accepted-by: anna@eu.example, accepted-at: 2026-01-01}
                """);
        directory = TenantDirectory.load(file, LICENCES);
    }

    final LicenceCheck check = new LicenceCheck(LICENCES);

    static Tenant tenant(String id) {
        return directory.tenant(id).orElseThrow();
    }

    @Test
    void descriptorsLoadWithTheirTerms() {
        LicenceDescriptor l = LICENCES.get("llama-3.1").orElseThrow();
        assertThat(l.version()).isEqualTo("2024-07-23");
        assertThat(l.attribution()).isEqualTo("Built with Llama");
        assertThat(l.derivativeNamePrefix()).isEqualTo("Llama");
        assertThat(l.monthlyActiveUsersLimit()).isEqualTo(700_000_000L);
        assertThat(l.notice()).startsWith("Llama 3.1 is licensed under the Llama 3.1 Community License");
        assertThat(l.euMultimodalRestricted()).isFalse();
        assertThat(l.acceptableUseDefaults().get("S4").action()).isEqualTo(Action.BLOCK);
        assertThat(LICENCES.get("llama-3.2").orElseThrow().euMultimodalRestricted())
                .isTrue();
        assertThat(LICENCES.get("llama-4").orElseThrow().euMultimodalRestricted())
                .isTrue();
        assertThat(LICENCES.all()).hasSize(3);
    }

    @Test
    void anAcceptedLicenceAllowsAndCarriesTheAttributionAndWhoAccepted() {
        LicenceVerdict v = check.check(tenant("acme"), LicenceRequest.chat("llama-3.1-8b-instruct", "llama-3.1"));
        assertThat(v).isInstanceOfSatisfying(LicenceVerdict.Allowed.class, a -> {
            assertThat(a.attribution()).isEqualTo("Built with Llama");
            assertThat(a.acceptance().acceptedBy()).isEqualTo("jane@acme.example");
            assertThat(a.acceptance().acceptedAt()).isEqualTo(Instant.parse("2026-01-15T10:00:00Z"));
        });
    }

    @Test
    void aModelOutsideTheTenantsListIsRefused() {
        assertThat(check.check(tenant("acme"), LicenceRequest.chat("llama-4-scout", "llama-4")))
                .isEqualTo(new LicenceVerdict.Denied(
                        LicenceCheck.MODEL_NOT_ALLOWED, 403, "tenant acme may not use model llama-4-scout"));
    }

    @Test
    void aLicenceNotAcceptedInItsCurrentVersionIsRefusedWith403() {
        LicenceVerdict none = check.check(tenant("acme"), "llama-4", "chat", null);
        assertThat(none).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.code()).isEqualTo("licence_not_accepted");
            assertThat(d.httpStatus()).isEqualTo(403);
            assertThat(d.message()).contains("version 2025-04-05");
        });
        LicenceVerdict older = check.check(tenant("old"), "llama-3.1", "chat", null);
        assertThat(older).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.code()).isEqualTo("licence_not_accepted");
            assertThat(d.message()).contains("by bob@old.example").contains("is for version 2024-01-01");
        });
    }

    @Test
    void anUnknownLicenceIsAServerError() {
        assertThat(check.check(tenant("acme"), "llama-9", "chat", null))
                .isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> assertThat(d.httpStatus())
                        .isEqualTo(500));
    }

    @Test
    void monthlyActiveUsersAboveTheLimitAreRefusedAndAtTheLimitAllowed() {
        assertThat(check.check(tenant("acme"), "llama-3.1", "chat", null).allowed())
                .isTrue(); // exactly 700M
        assertThat(check.check(tenant("giant"), "llama-3.1", "chat", null))
                .isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
                    assertThat(d.code()).isEqualTo("licence_mau_limit_exceeded");
                    assertThat(d.httpStatus()).isEqualTo(403);
                    assertThat(d.message()).contains("700000001").contains("700000000");
                });
    }

    @Test
    void training_needsADerivativeNameBeginningWithLlama() {
        assertThat(check.check(tenant("acme"), "llama-3.1", "training", null).allowed())
                .isTrue(); // declared name
        assertThat(check.check(tenant("acme"), "llama-3.1", "training", "Llama-Acme-8B")
                        .allowed())
                .isTrue();

        LicenceVerdict wrongName = check.check(tenant("acme"), "llama-3.1", "distillation", null);
        assertThat(wrongName).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.code()).isEqualTo("derivative_name_invalid");
            assertThat(d.httpStatus()).isEqualTo(403);
            assertThat(d.message())
                    .contains("section 1.b.i")
                    .contains("include \"Llama\" at the beginning")
                    .contains("'Acme-Small'");
        });
        LicenceVerdict undeclared = check.check(tenant("acme"), "llama-3.1", "training", "Llama-Other");
        assertThat(undeclared).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> assertThat(d.code())
                .isEqualTo("purpose_not_declared"));
    }

    @Test
    void anUndeclaredPurposeIsRefused() {
        assertThat(check.check(tenant("old"), null, "training", "Llama-X"))
                .isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
                    assertThat(d.code()).isEqualTo("purpose_not_declared");
                    assertThat(d.message()).contains("(declared: chat)");
                });
    }

    @Test
    void multimodalModelsUnderLlama32AreRefusedToEuLicenseesOnly() {
        LicenceRequest vision = new LicenceRequest(null, "llama-3.2", true, "chat", null);
        assertThat(check.check(tenant("eu"), vision)).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.code()).isEqualTo("licence_region_restricted");
            assertThat(d.httpStatus()).isEqualTo(403);
        });
        // the same tenant may use a text-only 3.2 model, and a non-EU tenant the multimodal one
        assertThat(check.check(tenant("eu"), new LicenceRequest(null, "llama-3.2", false, "chat", null))
                        .allowed())
                .isTrue();
        assertThat(check.check(
                                tenant("acme"),
                                new LicenceRequest("llama-3.2-11b-vision", "llama-3.2", true, null, null))
                        .allowed())
                .isTrue();
        // Llama 3.1 carries no such restriction
        assertThat(check.check(tenant("eu"), new LicenceRequest(null, "llama-3.1", true, "chat", null))
                        .allowed())
                .isTrue();
    }

    @Test
    void aModelUnderNoTrackedLicenceNeedsNoAcceptance() {
        LicenceVerdict v = check.check(tenant("old"), null, null, null);
        assertThat(v).isInstanceOfSatisfying(LicenceVerdict.Allowed.class, a -> assertThat(a.attribution())
                .isEmpty());
    }

    @Test
    void theLicenceAupSuppliesDefaultActions() {
        var rule = tenant("eu").policy().guard().rule(Direction.OUTPUT, "S6").orElseThrow();
        assertThat(rule.action()).isEqualTo(Action.FLAG);
        assertThat(rule.source()).isEqualTo("llama-3.2 AUP default");
    }
}
