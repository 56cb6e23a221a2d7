package dev.warden.gateway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code warden.rate-limit.*} as Spring binds it at start-up. */
class RateLimitPropertiesTest {

    @Test
    void aDefaultReservationOfNoTokensOrFewerStopsTheStartNamingTheSetting() {
        // zero would pass requests without max_tokens through token limits for free; a negative one refills the bucket
        for (String value : new String[] {"0", "-512"}) {
            assertThatThrownBy(() -> bind(Map.of("warden.rate-limit.default-max-tokens", value)))
                    .isInstanceOf(BindException.class)
                    .hasRootCauseMessage("warden.rate-limit.default-max-tokens must be 1 or more, got " + value);
        }
        assertThat(bind(Map.of("warden.rate-limit.default-max-tokens", "64")).defaultMaxTokens())
                .isEqualTo(64L);
        assertThat(bind(Map.of()).defaultMaxTokens()).isNull(); // 512, applied where it is read
    }

    private static FlowConfiguration.RateLimitProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("warden.rate-limit", FlowConfiguration.RateLimitProperties.class);
    }
}
