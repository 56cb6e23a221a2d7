package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * How long a stored file is kept: the client's choice, within the operator's retention and the content retention
 * the tenant chose; and how the operator says "until deleted".
 */
class RetentionTest {

    private static final long DAY = Duration.ofDays(1).toSeconds();
    /** A tenant whose tenants file sets no {@code audit.content-retention-days}. */
    private static final OptionalInt UNSET = OptionalInt.empty();

    private final BatchProperties.Retention retention =
            new BatchProperties.Retention(Duration.ofDays(10), Duration.ofDays(30), null, null);

    @Test
    void withoutAClientChoiceTheOperatorsRetentionOfThePurposeHolds() {
        assertThat(retention.secondsFor(StoredFile.BATCH, null, UNSET)).hasValue(10 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, null, UNSET)).hasValue(30 * DAY);
    }

    @Test
    void aShorterClientChoiceWinsALongerOneIsCutToTheOperators() {
        assertThat(retention.secondsFor(StoredFile.BATCH, 3600L, UNSET)).hasValue(3600);
        assertThat(retention.secondsFor(StoredFile.BATCH, 20 * DAY, UNSET)).hasValue(10 * DAY);
    }

    @Test
    void theContentRetentionATenantChoseCapsEveryFileOfIt() {
        OptionalInt week = OptionalInt.of(7);
        assertThat(retention.secondsFor(StoredFile.BATCH, null, week)).hasValue(7 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, 20 * DAY, week))
                .hasValue(7 * DAY);
        assertThat(retention.secondsFor(StoredFile.BATCH_OUTPUT, DAY, week)).hasValue(DAY);
    }

    @Test
    void aRetentionOf0KeepsFilesUntilDeletedUnlessTheClientOrTheTenantChoseAnExpiry() {
        BatchProperties.Retention untilDeleted = bind(Map.of(
                        "warden.batch.retention.uploads", "0",
                        "warden.batch.retention.outputs", "0d",
                        "warden.batch.retention.batches", "0"))
                .retention();

        assertThat(untilDeleted.secondsFor(StoredFile.BATCH, null, UNSET)).isEmpty();
        assertThat(untilDeleted.secondsFor(StoredFile.BATCH_OUTPUT, null, UNSET))
                .isEmpty();
        assertThat(untilDeleted.batchesExpire()).isFalse();
        assertThat(untilDeleted.secondsFor(StoredFile.BATCH, 3600L, UNSET)).hasValue(3600);
        assertThat(untilDeleted.secondsFor(StoredFile.BATCH_OUTPUT, null, OptionalInt.of(7)))
                .hasValue(7 * DAY);
        assertThat(retention.batchesExpire()).isTrue();
    }

    @Test
    void aNegativeOrUnreadableRetentionStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retention.uploads", "-1d")))
                .isInstanceOf(BindException.class)
                .hasRootCauseMessage("warden.batch.retention.uploads must be a positive duration, or 0 to keep until "
                        + "deleted; got PT-24H");
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retention.outputs", "-5m")))
                .hasRootCauseMessage("warden.batch.retention.outputs must be a positive duration, or 0 to keep until "
                        + "deleted; got PT-5M");
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retention.batches", "never")))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("warden.batch.retention.batches");
        assertThatThrownBy(() -> bind(Map.of("warden.batch.retention.sweep-interval", "0")))
                .hasRootCauseMessage("warden.batch.retention.sweep-interval must be positive, got PT0S");
    }

    /** As Spring binds {@code warden.batch} at start-up. */
    private static BatchProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("warden.batch", BatchProperties.class);
    }
}
