package dev.warden.gateway.guard;

import dev.warden.guard.embedded.EncoderLoad;
import dev.warden.guard.embedded.SharedEncoder;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of the embedded encoder: OUT_OF_SERVICE while its queue has held more than the saturation backlog for
 * longer than the grace period, so a load balancer sends new traffic to another replica instead of letting this
 * one refuse (fail-closed tenants) or pass unjudged (fail-open tenants) request after request. UP when the
 * embedded classifiers are off (nothing to saturate).
 */
public final class EncoderHealthIndicator implements HealthIndicator {

    private final SharedEncoder encoder;
    private final Duration grace;

    public EncoderHealthIndicator(SharedEncoder encoder, Duration grace) {
        this.encoder = encoder;
        this.grace = grace;
    }

    @Override
    public Health health() {
        if (encoder == null) {
            return Health.up().withDetail("embedded", "off").build();
        }
        EncoderLoad load = encoder.load();
        Health.Builder health = load.saturatedFor().compareTo(grace) >= 0
                        && !load.saturatedFor().isZero()
                ? Health.outOfService()
                : Health.up();
        return health.withDetail("queuedWindows", load.queuedWindows())
                .withDetail("tenantsWaiting", load.tenantsWaiting())
                .withDetail("backlogMs", load.backlog().toMillis())
                .withDetail("saturatedMs", load.saturatedFor().toMillis())
                .build();
    }
}
