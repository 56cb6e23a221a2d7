package dev.warden.policy.ratelimit;

import java.time.Duration;

/**
 * The state of the most constraining window of one kind after a reservation, as OpenAI reports it in
 * {@code x-ratelimit-limit-*}, {@code x-ratelimit-remaining-*} and {@code x-ratelimit-reset-*}: the window's
 * limit, what remains, and the time until it is full again.
 */
public record RateLimitInfo(long limit, long remaining, Duration reset) {

    /** OpenAI's reset format, Go-style durations: {@code 20ms}, {@code 1s}, {@code 6m0s}, {@code 1h2m3.5s}. */
    public String resetHeader() {
        return format(reset);
    }

    static String format(Duration d) {
        long millis = Math.max(0, (d.toNanos() + 999_999) / 1_000_000);
        if (millis < 1000) {
            return millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long ms = millis % 60_000;
        StringBuilder s = new StringBuilder();
        if (hours > 0) {
            s.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            s.append(minutes).append('m');
        }
        s.append(ms / 1000);
        if (ms % 1000 != 0) {
            String frac = String.format("%03d", ms % 1000).replaceAll("0+$", "");
            s.append('.').append(frac);
        }
        return s.append('s').toString();
    }
}
