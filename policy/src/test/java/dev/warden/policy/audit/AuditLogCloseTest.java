package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the log does not wait out the writer's retry interval: a writer idle on an empty queue is woken by the
 * close, writes what is left and stops. (It used to notice only when its poll timed out, which every gateway
 * shutdown paid.)
 */
class AuditLogCloseTest {

    /** Far longer than the test may take: a close that waited for it would fail the timeout below. */
    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path dir;

    private AuditStore store;
    private AuditLog log;

    @BeforeEach
    void open() {
        store = TestAuditStore.open(dir);
        log = new AuditLog(store, TestAuditStore.logConfig(dir).withRetryInterval(HOUR));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void closeWakesAnIdleWriterInsteadOfWaitingForItsRetryInterval() throws Exception {
        log.append(Records.record("acme", 1)).get(10, TimeUnit.SECONDS);

        assertTimeoutPreemptively(Duration.ofSeconds(30), log::close);

        assertThat(store.query(AuditQuery.builder().requestId("r-acme-1").build())
                        .entries())
                .hasSize(1);
        assertThatThrownBy(() -> log.append(Records.record("acme", 2)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(AuditUnavailableException.class);
    }

    @Test
    void closingTwiceIsHarmless() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            log.close();
            log.close();
        });
        assertThat(log.stats().lost()).isZero();
    }
}
