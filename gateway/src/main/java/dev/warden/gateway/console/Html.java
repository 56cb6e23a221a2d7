package dev.warden.gateway.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Escaping for the console's server-rendered pages. Every value from a record, a query or the configuration goes
 * through {@link #text} (element content and quoted attributes alike) or {@link #url}; nothing is written raw.
 */
final class Html {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Html() {}

    /** Safe in element content and in a double- or single-quoted attribute value. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** One query-string component. */
    static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    /** A value or an em dash when there is none. */
    static String orDash(Object value) {
        return value == null || value.toString().isEmpty() ? "&mdash;" : text(value);
    }
}
