package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code warden.batch.*} as Spring binds it at start-up (retention has its own test). */
class BatchPropertiesTest {

    @Test
    void aRetryDelayOfZeroOrLessStopsTheStartNamingTheSetting() {
        // a line refused for the moment would be retried at once, over and over, against the limit that refused it
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retry-delay", "0s")))
                .isInstanceOf(BindException.class)
                .hasRootCauseMessage("warden.batch.retry-delay must be more than zero, got PT0S");
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retry-delay", "-2s")))
                .hasRootCauseMessage("warden.batch.retry-delay must be more than zero, got PT-2S");
        assertThat(bind(Map.of("warden.batch.retry-delay", "250ms")).retryDelay())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(bind(Map.of()).retryDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    private static BatchProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("warden.batch", BatchProperties.class);
    }
}
