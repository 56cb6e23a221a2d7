package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import tools.jackson.databind.JsonNode;

/**
 * A client's own expiry for a file, as OpenAI takes it: {@code expires_after} of an upload (multipart fields
 * {@code expires_after[anchor]} and {@code expires_after[seconds]}) and {@code output_expires_after} of a batch
 * (a JSON object) for its output and error files. The only anchor is the file's creation; the seconds are OpenAI's
 * bounds, one hour to 30 days. Anything else is a 400 naming the field.
 */
record ExpiresAfter(long seconds) {

    static final String ANCHOR = "created_at";
    static final long MIN_SECONDS = 3600;
    static final long MAX_SECONDS = 2_592_000;

    /** From the multipart fields of an upload; both or neither must be sent. */
    static ExpiresAfter ofForm(String param, String anchor, String seconds) {
        if (anchor == null && seconds == null) {
            return null;
        }
        if (seconds == null) {
            throw ApiErrors.missingParameter(param + ".seconds");
        }
        try {
            return of(param, anchor, Long.parseLong(seconds.strip()));
        } catch (NumberFormatException e) {
            throw ApiErrors.invalidRequest(param + ".seconds must be a whole number of seconds", param + ".seconds");
        }
    }

    /** From a JSON body: {@code {"anchor": "created_at", "seconds": N}}, or null when absent. */
    static ExpiresAfter ofJson(String param, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiErrors.wrongType(param, "an object with anchor and seconds");
        }
        JsonNode seconds = node.get("seconds");
        if (seconds == null || seconds.isNull()) {
            throw ApiErrors.missingParameter(param + ".seconds");
        }
        if (!seconds.isIntegralNumber() || !seconds.canConvertToLong()) {
            throw ApiErrors.wrongType(param + ".seconds", "a whole number");
        }
        JsonNode anchor = node.get("anchor");
        if (anchor != null && !anchor.isNull() && !anchor.isString()) {
            throw ApiErrors.wrongType(param + ".anchor", "a string");
        }
        return of(param, anchor == null || anchor.isNull() ? null : anchor.asString(), seconds.asLong());
    }

    private static ExpiresAfter of(String param, String anchor, long seconds) {
        if (anchor == null) {
            throw ApiErrors.missingParameter(param + ".anchor");
        }
        if (!ANCHOR.equals(anchor.strip())) {
            throw ApiErrors.invalidRequest(
                    param + ".anchor must be '" + ANCHOR + "' (the only anchor OpenAI supports)", param + ".anchor");
        }
        if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
            throw ApiErrors.invalidRequest(
                    param + ".seconds must be from " + MIN_SECONDS + " (one hour) to " + MAX_SECONDS + " (30 days)",
                    param + ".seconds");
        }
        return new ExpiresAfter(seconds);
    }
}
