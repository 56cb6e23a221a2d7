package dev.warden.gateway.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.llamaguard.LlamaGuardVariant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code warden.guard.*} as Spring binds it from configuration. */
class GuardPropertiesTest {

    private static GuardProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("warden.guard", GuardProperties.class);
    }

    @Test
    void llamaGuardJudgesWithTheEightBCategoriesUnlessTheOneBIsNamed() {
        assertThat(bind(Map.of()).llamaGuard().categorySet()).isEqualTo(LlamaGuardVariant.LLAMA_GUARD_3_8B);
        assertThat(bind(Map.of("warden.guard.llama-guard.variant", "8b"))
                        .llamaGuard()
                        .categorySet())
                .isEqualTo(LlamaGuardVariant.LLAMA_GUARD_3_8B);
        assertThat(bind(Map.of("warden.guard.llama-guard.variant", "1B"))
                        .llamaGuard()
                        .categorySet())
                .isEqualTo(LlamaGuardVariant.LLAMA_GUARD_3_1B);
    }

    @Test
    void aMisspeltLlamaGuardVariantStopsTheStartNamingTheSetting() {
        // it used to mean 8b silently, so a 1B model was prompted with a category it was not trained on
        assertThatThrownBy(() -> bind(Map.of("warden.guard.llama-guard.variant", "3-1b")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .extracting(Throwable::getMessage, InstanceOfAssertFactories.STRING)
                .contains("warden.guard.llama-guard.variant", "8b or 1b", "'3-1b'");
    }

    @Test
    void aDeadlineOfZeroOrLessStopsTheStartNamingTheSetting() {
        // a zero deadline times every call out at once: for a fail-open tenant, the classifier silently off
        for (String setting : List.of(
                "warden.guard.embedded.deadline",
                "warden.guard.rules.deadline",
                "warden.guard.code-security.deadline",
                "warden.guard.prompt-guard.deadline",
                "warden.guard.llama-guard.deadline")) {
            for (String value : List.of("0s", "-1s")) {
                assertThatThrownBy(() -> bind(Map.of(setting, value)))
                        .as(setting + "=" + value)
                        .isInstanceOf(BindException.class)
                        .rootCause()
                        .extracting(Throwable::getMessage, InstanceOfAssertFactories.STRING)
                        .contains(setting, "must be more than zero");
            }
        }
        assertThat(bind(Map.of("warden.guard.embedded.deadline", "50ms"))
                        .embedded()
                        .deadlineOr(null))
                .isEqualTo(java.time.Duration.ofMillis(50));
    }

    @Test
    void noLlamaGuardSlotsAndANegativeCacheSizeStopTheStart() {
        assertThatThrownBy(() -> bind(Map.of("warden.guard.llama-guard.slots", "0")))
                .rootCause()
                .hasMessageContaining("warden.guard.llama-guard.slots must be 1 or more");
        assertThatThrownBy(() -> bind(Map.of("warden.guard.cache-size", "-1")))
                .rootCause()
                .hasMessageContaining("warden.guard.cache-size must be 0 or more");
    }
}
