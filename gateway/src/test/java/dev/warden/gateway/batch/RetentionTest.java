package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long a stored file is kept: the client's choice, within the operator's retention and the tenant's content retention. */
class RetentionTest {

    private static final long DAY = Duration.ofDays(1).toSeconds();

    private final BatchProperties.Retention retention =
            new BatchProperties.Retention(Duration.ofDays(10), Duration.ofDays(30), null, null);

    @Test
    void withoutAClientChoiceTheOperatorsRetentionOfThePurposeHolds() {
        assertThat(retention.secondsFor(StoredFile.BATCH, null, 180)).isEqualTo(10 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, null, 180)).isEqualTo(30 * DAY);
    }

    @Test
    void aShorterClientChoiceWinsALongerOneIsCutToTheOperators() {
        assertThat(retention.secondsFor(StoredFile.BATCH, 3600L, 180)).isEqualTo(3600);
        assertThat(retention.secondsFor(StoredFile.BATCH, 20 * DAY, 180)).isEqualTo(10 * DAY);
    }

    @Test
    void theTenantsContentRetentionCapsEveryFileOfIt() {
        assertThat(retention.secondsFor(StoredFile.BATCH, null, 7)).isEqualTo(7 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, 20 * DAY, 7)).isEqualTo(7 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, DAY, 7)).isEqualTo(DAY);
    }

    @Test
    void aRetentionThatIsNotPositiveIsAConfigurationError() {
        assertThatThrownBy(() -> new BatchProperties.Retention(Duration.ZERO, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }
}
