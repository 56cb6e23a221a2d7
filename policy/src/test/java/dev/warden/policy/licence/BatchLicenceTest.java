package dev.warden.policy.licence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.ModelDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch's purpose and derivative model, checked once for the whole job. */
class BatchLicenceTest {

    private static final ModelDescriptor LLAMA =
            new ModelDescriptor("llama-3.1-8b-instruct", "remote", 8192, "llama-3.1");
    private final BatchLicence batches = new BatchLicence(new LicenceCheck(LicenceCheckTest.LICENCES));

    @BeforeAll
    static void tenants(@TempDir Path dir) throws Exception {
        LicenceCheckTest.tenants(dir);
    }

    @Test
    void aTrainingBatchThatNamesNoDerivativeModelIsRefusedQuotingTheNamingRule() {
        var declaration = BatchLicence.Declaration.of(Map.of("purpose", "training"), null, null);

        LicenceVerdict verdict = batches.check(LicenceCheckTest.tenant("acme"), declaration, List.of(LLAMA));

        assertThat(verdict).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.httpStatus()).isEqualTo(403);
            assertThat(d.code()).isEqualTo("derivative_name_required");
            assertThat(d.message())
                    .contains("derivative_model")
                    .contains("section 1.b.i")
                    .contains("include \"Llama\" at the beginning");
        });
    }

    @Test
    void aDerivativeNameNotBeginningWithLlamaIsRefusedEvenBeforeTheTenantsDeclarationsAreConsulted() {
        var declaration = BatchLicence.Declaration.of(
                Map.of("purpose", "distillation", "derivative_model", "Acme-Small"), null, null);

        LicenceVerdict verdict = batches.check(LicenceCheckTest.tenant("acme"), declaration, List.of(LLAMA));

        assertThat(verdict).isInstanceOfSatisfying(LicenceVerdict.Denied.class, d -> {
            assertThat(d.code()).isEqualTo("derivative_name_invalid");
            assertThat(d.message()).contains("'Acme-Small' does not begin with \"Llama\"");
        });
    }

    @Test
    void aDeclaredLlamaDerivativeIsAllowedWithTheAttribution() {
        var fromHeaders = BatchLicence.Declaration.of(Map.of(), "training", "Llama-Acme-8B");

        LicenceVerdict verdict = batches.check(LicenceCheckTest.tenant("acme"), fromHeaders, List.of(LLAMA));

        assertThat(verdict).isInstanceOfSatisfying(LicenceVerdict.Allowed.class, a -> assertThat(a.attribution())
                .isEqualTo("Built with Llama"));
        assertThat(fromHeaders.createsModel()).isTrue();
    }

    @Test
    void aChatBatchNeedsNoDerivativeName() {
        var chat = BatchLicence.Declaration.of(Map.of("description", "nightly eval"), null, null);

        assertThat(chat.purpose()).isEqualTo("chat");
        assertThat(batches.check(LicenceCheckTest.tenant("acme"), chat, List.of(LLAMA))
                        .allowed())
                .isTrue();
    }
}
