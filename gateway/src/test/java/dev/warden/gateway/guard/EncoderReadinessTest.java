package dev.warden.gateway.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.guard.embedded.EncoderCaller;
import dev.warden.guard.embedded.EncodingQueue;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.embedded.SharedEncoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Issue 16: a saturated encoder shows in readiness and in metrics, and readiness comes back when the work that
 * saturated it is cancelled. The real encoder, with a low saturation threshold so a few seconds of queued work
 * count as saturation.
 */
@Tag("slow")
class EncoderReadinessTest {

    private SharedEncoder encoder;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        EncodingQueue.Settings d = EncodingQueue.Settings.defaults();
        encoder = new SharedEncoder(
                new SentenceEncoder(2),
                new EncodingQueue.Settings(
                        d.runners(),
                        d.batchTokens(),
                        d.windowsPerRequest(),
                        d.maxWait(),
                        d.queuedWindows(),
                        d.queuedWindowsPerTenant(),
                        Duration.ofMillis(200)),
                64);
        EncoderMetrics.bind(encoder, metrics);
    }

    @AfterEach
    void stop() {
        encoder.close();
    }

    /** 40 different texts of ~10 KB from one request of one tenant: several hundred windows of work. */
    private Disposable flood() {
        List<String> texts = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            StringBuilder sb = new StringBuilder("text ").append(m).append(':');
            for (int w = 0; sb.length() < 10_000; w++) {
                sb.append(' ').append(Integer.toString(w * 31 + m, 36));
            }
            texts.add(sb.toString());
        }
        return Flux.fromIterable(texts)
                .flatMap(encoder::embed)
                .contextWrite(EncoderCaller.forRequest("tenant-a"))
                .subscribe();
    }

    @Test
    void readinessIsOutOfServiceWhileTheQueueStaysSaturatedAndUpAgainWhenTheWorkIsCancelled() {
        EncoderHealthIndicator readiness = new EncoderHealthIndicator(encoder, Duration.ofMillis(100));
        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);

        Disposable flood = flood();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> readiness.health().getStatus().equals(Status.OUT_OF_SERVICE));
            assertThat(metrics.get("warden.guard.encoder.queue.windows").gauge().value())
                    .isPositive();
            assertThat(metrics.get("warden.guard.encoder.saturated.seconds")
                            .gauge()
                            .value())
                    .isPositive();
        } finally {
            flood.dispose();
        }

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> readiness.health().getStatus().equals(Status.UP));
        // Readiness is back once the backlog is under the threshold, which can be before the queue is empty (texts
        // the flood was submitting while it was disposed are still queued or being dropped): await the empty queue.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> metrics.get("warden.guard.encoder.queue.windows")
                                .gauge()
                                .value()
                        == 0.0);
        assertThat(metrics.get("warden.guard.encoder.windows.cancelled")
                        .functionCounter()
                        .count())
                .isPositive();
        assertThat(metrics.get("warden.guard.encoder.wait").timer().count()).isPositive();
    }

    @Test
    void aTenantBeyondItsShareOfTheQueueIsRefusedAndCounted() {
        EncodingQueue.Settings d = EncodingQueue.Settings.defaults();
        encoder.close();
        encoder = new SharedEncoder(
                new SentenceEncoder(1),
                new EncodingQueue.Settings(
                        d.runners(),
                        d.batchTokens(),
                        d.windowsPerRequest(),
                        d.maxWait(),
                        d.queuedWindows(),
                        50,
                        d.saturationBacklog()),
                64);
        EncoderMetrics.bind(encoder, new SimpleMeterRegistry());
        Disposable flood = flood();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> encoder.load().rejectedTexts() > 0);
            assertThat(encoder.load().queuedWindows()).isLessThanOrEqualTo(50);
        } finally {
            flood.dispose();
        }
    }
}
