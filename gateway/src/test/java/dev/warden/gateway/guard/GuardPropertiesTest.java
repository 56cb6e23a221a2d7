package dev.warden.gateway.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.llamaguard.LlamaGuardVariant;
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
}
