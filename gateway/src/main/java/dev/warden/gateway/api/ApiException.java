package dev.warden.gateway.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error the client gets in OpenAI's shape {@code {"error":{"message","type","param","code"}}}.
 * {@code extra} fields are added beside those four (e.g. the categories of a content-filter block). Built only
 * through {@link ApiErrors}, which names each case.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;
    private final Map<String, Object> extra;

    ApiException(HttpStatus status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null, Map.of());
    }

    ApiException(
            HttpStatus status,
            String type,
            String code,
            String param,
            String message,
            Duration retryAfter,
            Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
        this.extra = new LinkedHashMap<>(extra);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public Map<String, Object> extra() {
        return extra;
    }
}
