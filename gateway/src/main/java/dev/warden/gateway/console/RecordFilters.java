package dev.warden.gateway.console;

import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.Outcome;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.util.MultiValueMap;

/**
 * The filters of the request explorer and the overview, read from and written back to the URL, so that every view
 * can be bookmarked and shared: {@code tenant}, {@code from}, {@code to}, {@code outcome}, {@code category},
 * {@code classifier}, {@code model}, {@code key_id}, {@code request_id}. Empty fields (as an HTML form sends them)
 * mean "no filter"; anything malformed is an {@link IllegalArgumentException} naming the field.
 */
record RecordFilters(Map<String, String> values) {

    static final String[] NAMES = {
        "tenant", "from", "to", "outcome", "category", "classifier", "model", "key_id", "request_id"
    };

    static RecordFilters of(MultiValueMap<String, String> params) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            String v = params.getFirst(name);
            if (v != null && !v.isBlank()) {
                values.put(name, v.trim());
            }
        }
        RecordFilters filters = new RecordFilters(values);
        filters.query(); // fail early on a malformed value
        return filters;
    }

    String get(String name) {
        return values.get(name);
    }

    /** The query these filters mean; a new page from {@code cursor} when it is not null. */
    AuditQuery query() {
        AuditQuery.Builder b = AuditQuery.builder()
                .tenant(get("tenant"))
                .model(get("model"))
                .category(get("category"))
                .classifier(get("classifier"))
                .requestId(get("request_id"))
                .from(instant("from"))
                .to(instant("to"));
        String keyId = get("key_id");
        if (keyId != null) {
            if (!keyId.matches("[0-9a-f]{8}")) {
                throw new IllegalArgumentException("key id: the 8 hex digits records show, not '" + keyId + "'");
            }
            b.keyId(keyId);
        }
        String outcome = get("outcome");
        if (outcome != null) {
            try {
                b.outcome(Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("outcome: no outcome '" + outcome + "'");
            }
        }
        Instant from = instant("from");
        Instant to = instant("to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        return b.build();
    }

    private Instant instant(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return dev.warden.gateway.admin.AuditTimes.parse(v);
        } catch (DateTimeParseException notTime) {
            throw new IllegalArgumentException(name + ": an ISO-8601 time such as 2026-11-28T03:00:00Z or a date "
                    + "such as 2026-11-28, not '" + v + "'");
        }
    }

    /** The filters with one changed (null removes it). */
    RecordFilters with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new RecordFilters(copy);
    }

    /** {@code tenant=a&outcome=blocked_input}, URL-encoded, in a fixed order; empty without filters. */
    String queryString() {
        StringBuilder q = new StringBuilder();
        values.forEach(
                (k, v) -> q.append(q.isEmpty() ? "" : "&").append(k).append('=').append(Html.url(v)));
        return q.toString();
    }
}
