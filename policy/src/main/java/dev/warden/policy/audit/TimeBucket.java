package dev.warden.policy.audit;

import java.time.Duration;

/** Width of a dashboard bucket; buckets are aligned on UTC epoch multiples. */
public enum TimeBucket {
    MINUTE(Duration.ofMinutes(1)),
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofDays(1));

    private final Duration width;

    TimeBucket(Duration width) {
        this.width = width;
    }

    public long millis() {
        return width.toMillis();
    }
}
