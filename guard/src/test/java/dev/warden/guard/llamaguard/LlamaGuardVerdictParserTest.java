package dev.warden.guard.llamaguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.HazardCategory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LlamaGuardVerdictParserTest {

    private final LlamaGuardVerdictParser parser =
            new LlamaGuardVerdictParser(LlamaGuardCategories.standard(LlamaGuardVariant.LLAMA_GUARD_3_8B));

    @Test
    void safeWithLeadingNewlines() {
        assertThat(parser.parse("\n\nsafe").safe()).isTrue();
        assertThat(parser.parse("safe").violated()).isEmpty();
    }

    @Test
    void unsafeWithCodes() {
        LlamaGuardAssessment a = parser.parse("\n\nunsafe\nS1,S10");
        assertThat(a.safe()).isFalse();
        assertThat(a.violated()).containsExactly(HazardCategory.S1, HazardCategory.S10);
    }

    @Test
    void anythingElseIsAnError() {
        for (String answer : new String[] {
            "",
            "Safe",
            "unsafe",
            "unsafe S1",
            "unsafe\n",
            "unsafe\nS1\nS2",
            "safe\nS1",
            "I cannot help",
            "unsafe\nS1,",
            "unsafe\nViolent Crimes"
        }) {
            assertThatThrownBy(() -> parser.parse(answer)).as(answer).isInstanceOf(LlamaGuardFormatException.class);
        }
    }

    @Test
    void unknownCodesAreErrors() {
        assertThatThrownBy(() -> parser.parse("unsafe\nS15")).isInstanceOf(LlamaGuardFormatException.class);
        LlamaGuardVerdictParser oneB =
                new LlamaGuardVerdictParser(LlamaGuardCategories.standard(LlamaGuardVariant.LLAMA_GUARD_3_1B));
        assertThatThrownBy(() -> oneB.parse("unsafe\nS14")).isInstanceOf(LlamaGuardFormatException.class);
    }

    @Test
    void excludedCodesAreSuppressed() {
        LlamaGuardVerdictParser tenant =
                new LlamaGuardVerdictParser(LlamaGuardCategories.standard(LlamaGuardVariant.LLAMA_GUARD_3_8B)
                        .excluding(Set.of(HazardCategory.S6)));

        LlamaGuardAssessment onlyExcluded = tenant.parse("unsafe\nS6");
        assertThat(onlyExcluded.safe()).isTrue();
        assertThat(onlyExcluded.suppressed()).containsExactly(HazardCategory.S6);

        LlamaGuardAssessment mixed = tenant.parse("unsafe\nS6, S2");
        assertThat(mixed.violated()).containsExactly(HazardCategory.S2);
        assertThat(mixed.suppressed()).containsExactly(HazardCategory.S6);
    }
}
