package dev.warden.policy.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * The thresholds of the compliance alerts.
 *
 * @param window            how far back block rates and bypasses are counted (default 5 minutes)
 * @param blockRate         a tenant's share of requests blocked for one category in the window that fires an alert
 * @param minimumBlocked    blocked requests of that tenant and category needed as well, so that 1 of 2 is no spike
 * @param deduplication     how long an alert that keeps firing is not sent again (default 1 hour)
 */
public record AlertRules(Duration window, double blockRate, int minimumBlocked, Duration deduplication) {

    public static final AlertRules DEFAULT = new AlertRules(Duration.ofMinutes(5), 0.2, 10, Duration.ofHours(1));

    public AlertRules {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(deduplication, "deduplication");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the alert window must be positive, got " + window);
        }
        if (!(blockRate > 0 && blockRate <= 1)) {
            throw new IllegalArgumentException("the block-rate threshold must be in (0, 1], got " + blockRate);
        }
        if (minimumBlocked < 1) {
            throw new IllegalArgumentException(
                    "the minimum of blocked requests must be 1 or more, got " + minimumBlocked);
        }
        if (deduplication.isNegative()) {
            throw new IllegalArgumentException("the de-duplication window must not be negative, got " + deduplication);
        }
    }
}
