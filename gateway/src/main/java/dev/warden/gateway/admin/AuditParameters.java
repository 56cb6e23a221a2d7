package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.audit.TimeBucket;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.util.MultiValueMap;

/**
 * Reads the query parameters of the audit endpoints. Every problem is a 400 naming the parameter, and unknown
 * parameters are refused too: a misspelt filter ({@code tenent=acme}) would otherwise silently return everyone's
 * records.
 */
final class AuditParameters {

    static final Set<String> FILTERS = Set.of(
            "from", "to", "tenant", "model", "outcome", "decision", "category", "classifier", "request_id", "key_id");

    private final MultiValueMap<String, String> params;

    private AuditParameters(MultiValueMap<String, String> params) {
        this.params = params;
    }

    /** The parameters, after checking that none outside {@code FILTERS} and {@code extra} was sent. */
    static AuditParameters of(MultiValueMap<String, String> params, String... extra) {
        Set<String> allowed = new java.util.TreeSet<>(FILTERS);
        allowed.addAll(Arrays.asList(extra));
        return only(params, allowed);
    }

    /** The parameters, after checking that none outside {@code allowed} was sent. */
    static AuditParameters only(MultiValueMap<String, String> params, Set<String> allowed) {
        for (String name : params.keySet()) {
            if (!allowed.contains(name)) {
                throw ApiErrors.invalidRequest(
                        "unknown parameter '" + name + "'; this endpoint takes "
                                + (allowed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(allowed))),
                        name);
            }
        }
        return new AuditParameters(params);
    }

    /** The filters, with the page size and cursor when the endpoint takes them. */
    AuditQuery query() {
        AuditQuery.Builder b = AuditQuery.builder()
                .from(instant("from"))
                .to(instant("to"))
                .tenant(text("tenant"))
                .model(text("model"))
                .category(text("category"))
                .classifier(text("classifier"))
                .requestId(text("request_id"))
                .keyId(keyId());
        Instant from = instant("from");
        Instant to = instant("to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiErrors.invalidRequest("'from' (" + from + ") must be before 'to' (" + to + ")", "from");
        }
        for (String outcome : list("outcome")) {
            b.outcome(outcome(outcome));
        }
        List<String> decisions = list("decision");
        b.decision(decisions.toArray(String[]::new));
        if (params.containsKey("limit")) {
            b.limit(integer("limit", 1, AuditQuery.MAX_LIMIT, AuditQuery.DEFAULT_LIMIT));
        }
        if (params.containsKey("cursor")) {
            b.cursor(text("cursor"));
        }
        return b.build();
    }

    /** An API key's id as the records show it: 8 lower-case hex digits. */
    private String keyId() {
        String v = text("key_id");
        if (v != null && !v.matches("[0-9a-f]{8}")) {
            throw ApiErrors.invalidRequest("'key_id' is the 8 hex digits of a key id as records show it", "key_id");
        }
        return v;
    }

    TimeBucket bucket() {
        String value = text("bucket");
        if (value == null) {
            return TimeBucket.HOUR;
        }
        try {
            return TimeBucket.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidRequest("'bucket' must be minute, hour or day, not '" + value + "'", "bucket");
        }
    }

    /** One of {@code allowed} (case-insensitive), required. */
    String choice(String name, String... allowed) {
        String value = text(name);
        if (value == null) {
            throw ApiErrors.missingParameter(name);
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        throw ApiErrors.invalidRequest(
                "'" + name + "' must be one of " + String.join(", ", allowed) + ", not '" + value + "'", name);
    }

    /** The single value of a parameter, or null when absent; present but empty is an error. */
    String text(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiErrors.invalidRequest("'" + name + "' may be given only once", name);
        }
        String v = values.get(0);
        if (v == null || v.isBlank()) {
            throw ApiErrors.invalidRequest("'" + name + "' is empty; leave it out to not filter on it", name);
        }
        return v.trim();
    }

    /** Repeated parameters and comma-separated values, both meaning "any of". */
    private List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (String v : params.getOrDefault(name, List.of())) {
            for (String part : (v == null ? "" : v).split(",")) {
                if (part.isBlank()) {
                    throw ApiErrors.invalidRequest("'" + name + "' has an empty value", name);
                }
                out.add(part.trim());
            }
        }
        return out;
    }

    int integer(String name, int min, int max, int fallback) {
        String v = text(name);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiErrors.wrongType(name, "an integer");
        }
        if (n < min || n > max) {
            throw ApiErrors.invalidRequest("'" + name + "' must be between " + min + " and " + max, name);
        }
        return n;
    }

    /** ISO-8601: an instant ({@code 2026-11-28T03:00:00Z}), a date-time with offset, or a date (UTC midnight). */
    Instant instant(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            return AuditTimes.parse(v);
        } catch (DateTimeParseException notTime) {
            throw ApiErrors.invalidRequest(
                    "'" + name + "' must be an ISO-8601 time such as "
                            + "2026-11-28T03:00:00Z or a date such as 2026-11-28, not '" + v + "'",
                    name);
        }
    }

    private static final Map<String, Outcome> OUTCOMES = Arrays.stream(Outcome.values())
            .collect(Collectors.toMap(o -> o.name().toLowerCase(Locale.ROOT), o -> o));

    private static Outcome outcome(String value) {
        Outcome o = OUTCOMES.get(value.toLowerCase(Locale.ROOT));
        if (o == null) {
            throw ApiErrors.invalidRequest(
                    "unknown outcome '" + value + "'; outcomes are "
                            + String.join(", ", new java.util.TreeSet<>(OUTCOMES.keySet())),
                    "outcome");
        }
        return o;
    }
}
