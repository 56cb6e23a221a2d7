package dev.warden.gateway.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.policy.tenant.AuditSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoredResponsesTest {

    private final StoredResponses stored = new StoredResponses(10, Duration.ofDays(3));

    @Test
    void aTenantThatKeepsContentOneDayHasItsResponsesKeptOneDayNotTheGatewaysThree() {
        AuditSettings oneDayOfContent = new AuditSettings(true, 365, 1, false, true);

        assertThat(stored.keep(oneDayOfContent)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void withoutAContentPeriodTheGatewaysRetentionDecides() {
        // the record period (at least 180 days) is then the content period, far beyond the gateway's three days
        assertThat(stored.keep(AuditSettings.DEFAULT)).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void theGatewaysRetentionStaysTheCapWhenTheTenantKeepsContentLonger() {
        AuditSettings thirtyDays = new AuditSettings(true, 365, 30, false, true);

        assertThat(stored.keep(thirtyDays)).isEqualTo(Duration.ofDays(3));
    }
}
