package dev.warden.gateway.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error the client gets in OpenAI's shape {@code {"error":{"message","type","param","code"}}}.
 * {@code extra} fields are added beside those four (e.g. the categories of a content-filter block).
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;
    private final Map<String, Object> extra;

    public ApiException(HttpStatus status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null, Map.of());
    }

    public ApiException(HttpStatus status, String type, String code, String param, String message,
                        Duration retryAfter, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
        this.extra = new LinkedHashMap<>(extra);
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_value", param, message);
    }

    /**
     * A body that is not JSON, said in words of our own: the parser's message names its classes and limits
     * ({@code StreamReadConstraints}, {@code JsonNode}), which tell a client nothing and an attacker which library
     * to aim at. The position is enough to find the mistake.
     */
    public static ApiException invalidJson(tools.jackson.core.JacksonException e) {
        tools.jackson.core.TokenStreamLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? ""
                : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return invalid(null, "the request body is not valid JSON, or nests or repeats beyond what this gateway "
                + "reads" + where);
    }

    public static ApiException missing(String param) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "missing_required_parameter",
                param, "you must provide a '" + param + "' parameter");
    }

    public static ApiException wrongType(String param, String expected) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_type", param,
                "'" + param + "' must be " + expected);
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
