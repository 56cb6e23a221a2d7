package dev.warden.policy.ratelimit;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Short durations as people write them in configuration: {@code 30s}, {@code 1m}, {@code 2h}, {@code 1d}, or ISO-8601. */
final class Durations {

    private Durations() {}

    static Duration parse(String text) {
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration: '" + text + "'");
            }
        }
        if (text.length() < 2) {
            throw new IllegalArgumentException("expected a duration such as 30s, 1m, 1h or 1d, got '" + text + "'");
        }
        char unit = text.charAt(text.length() - 1);
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a duration such as 30s, 1m, 1h or 1d, got '" + text + "'");
        }
        return switch (unit) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default ->
                throw new IllegalArgumentException(
                        "unknown duration unit '" + unit + "' in '" + text + "' (use s, m, h or d)");
        };
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
