package dev.warden.gateway.web;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import java.util.List;
import org.springframework.http.HttpHeaders;

/** The key of an {@code Authorization: Bearer <key>} header, read the same way for tenant and admin keys. */
public final class BearerKey {

    public static final String AMBIGUOUS = "ambiguous_authorization";

    private BearerKey() {}

    /**
     * The presented key, or null when there is none.
     *
     * @throws ApiException 400 when the request has more than one Authorization header: which one counts would
     *                      depend on the reader, and a proxy in front might have checked the other
     */
    public static String from(HttpHeaders headers) {
        List<String> values = headers.get(HttpHeaders.AUTHORIZATION);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiErrors.ambiguousAuthorization(AMBIGUOUS);
        }
        return parse(values.get(0));
    }

    static String parse(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = header.substring(7).trim();
        return key.isEmpty() ? null : key;
    }
}
