package dev.warden.gateway.admin;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The times the audit filters take, in the admin API and the console alike: ISO-8601, an instant
 * ({@code 2026-11-28T03:00:00Z}) or a date-time with offset, or a date (UTC midnight). Each caller words its own error.
 */
public final class AuditTimes {

    private AuditTimes() {}

    /** @throws DateTimeParseException when the text is neither a date-time with offset nor a date */
    public static Instant parse(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notDateTime) {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }
}
