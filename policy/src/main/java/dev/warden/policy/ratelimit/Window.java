package dev.warden.policy.ratelimit;

import java.time.Duration;

/** {@code limit} units per {@code period}, refilled smoothly (a token bucket of that capacity). */
public record Window(long limit, Duration period) {

    public Window {
        if (limit <= 0) {
            throw new IllegalArgumentException("a limit must be positive, got " + limit);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a period must be positive, got " + period);
        }
    }

    /** Parses {@code 60/1m}, {@code 10000/1d}, {@code 5/30s}, {@code 100/PT1H}. */
    public static Window parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected LIMIT/PERIOD such as 60/1m, got '" + text + "'");
        }
        long limit;
        try {
            limit = Long.parseLong(text.substring(0, slash).trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number before '/', got '" + text + "'");
        }
        return new Window(limit, Durations.parse(text.substring(slash + 1).trim()));
    }

    @Override
    public String toString() {
        return limit + "/" + Durations.format(period);
    }
}
