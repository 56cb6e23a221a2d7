package dev.warden.gateway.api;

import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * Every error a client can get, by what happened. The OpenAI shape has four fields ({@code type}, {@code code},
 * {@code param}, {@code message}) that only make sense together; naming the case here keeps them consistent (a 401
 * is always an {@code invalid_request_error}, a 503 always a {@code server_error}) instead of repeating four
 * positional strings at every place that refuses something.
 */
public final class ApiErrors {

    private static final String INVALID_REQUEST = "invalid_request_error";
    private static final String SERVER_ERROR = "server_error";

    private ApiErrors() {}

    // --- the request itself ---

    /** 400: a parameter holds a value this gateway does not accept. */
    public static ApiException invalidRequest(String message, String param) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_value", param, message);
    }

    /**
     * 400: a body that is not JSON, said in words of our own: the parser's message names its classes and limits
     * ({@code StreamReadConstraints}, {@code JsonNode}), which tell a client nothing and an attacker which library
     * to aim at. The position is enough to find the mistake.
     */
    public static ApiException invalidJson(tools.jackson.core.JacksonException e) {
        tools.jackson.core.TokenStreamLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1
                ? ""
                : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return invalidRequest(
                "the request body is not valid JSON, or nests or repeats beyond what this gateway " + "reads" + where,
                null);
    }

    /** 400: a required parameter is absent. */
    public static ApiException missingParameter(String param) {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                INVALID_REQUEST,
                "missing_required_parameter",
                param,
                "you must provide a '" + param + "' parameter");
    }

    /** 400: a parameter of the wrong JSON type; {@code expected} reads "a string", "an array of messages". */
    public static ApiException wrongType(String param, String expected) {
        return new ApiException(
                HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_type", param, "'" + param + "' must be " + expected);
    }

    /** 400: a path not in canonical form (percent-encoding, dot segments, ...). */
    public static ApiException invalidPath(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_path", null, message);
    }

    /** 408: the client stopped sending its body (warden.server.read-timeout / request-timeout). */
    public static ApiException requestTimeout() {
        return new ApiException(
                HttpStatus.REQUEST_TIMEOUT,
                INVALID_REQUEST,
                "request_timeout",
                null,
                "the request body was not received in time");
    }

    /** 413: the body is larger than warden.max-body-size. */
    public static ApiException tooLarge() {
        return new ApiException(
                HttpStatus.PAYLOAD_TOO_LARGE,
                INVALID_REQUEST,
                "request_too_large",
                null,
                "the request body is larger than this gateway accepts (warden.max-body-size)");
    }

    /** 413: more text than the tenant's guard judges per request; nothing unjudged is sent on. */
    public static ApiException inputTooLongToJudge(String param, String message) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE, INVALID_REQUEST, "input_too_long_to_judge", param, message);
    }

    /** 415: the body is not declared as JSON. */
    public static ApiException unsupportedMediaType() {
        return new ApiException(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                INVALID_REQUEST,
                "unsupported_media_type",
                null,
                "send the request body as JSON with 'Content-Type: application/json'");
    }

    /** 406: the client accepts nothing this endpoint answers with. */
    public static ApiException notAcceptable() {
        return new ApiException(
                HttpStatus.NOT_ACCEPTABLE,
                INVALID_REQUEST,
                "not_acceptable",
                null,
                "this endpoint answers with application/json or text/event-stream");
    }

    // --- where the request went ---

    /** 404: no endpoint at this path. */
    public static ApiException endpointNotFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "not_found", null, message);
    }

    /** 405: a known path, another method. */
    public static ApiException methodNotAllowed(String message) {
        return new ApiException(HttpStatus.METHOD_NOT_ALLOWED, INVALID_REQUEST, "method_not_allowed", null, message);
    }

    /** 404: the request names a model this gateway does not serve. */
    public static ApiException modelNotFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "model_not_found", "model", message);
    }

    /** 503: the model is configured but cannot answer now. */
    public static ApiException modelUnavailable(String message) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, SERVER_ERROR, "model_unavailable", "model", message);
    }

    /** 503: this gateway serves no model at all. */
    public static ApiException noModelConfigured(String message) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, SERVER_ERROR, "no_model_configured", "model", message);
    }

    /** 404: a shield id the caller asked for is not one of this gateway's classifiers. */
    public static ApiException shieldNotFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "shield_not_found", "shield_id", message);
    }

    /** 404: a tenant id that is not in the tenants file; {@code param} is where the caller named it. */
    public static ApiException tenantNotFound(String param, String id) {
        return new ApiException(
                HttpStatus.NOT_FOUND,
                INVALID_REQUEST,
                "tenant_not_found",
                param,
                "no tenant '" + id + "' in the tenants file");
    }

    /** 404: a policy version digest the audit store does not hold. */
    public static ApiException policyVersionNotFound(String digest) {
        return new ApiException(
                HttpStatus.NOT_FOUND,
                INVALID_REQUEST,
                "policy_version_not_found",
                "digest",
                "no policy version '" + digest + "' in the audit store");
    }

    // --- who is asking ---

    /** 401: no key presented. */
    public static ApiException missingApiKey(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, INVALID_REQUEST, "missing_api_key", null, message);
    }

    /** 401: a key that opens nothing here. */
    public static ApiException invalidApiKey(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, INVALID_REQUEST, "invalid_api_key", null, message);
    }

    /** 400: more than one Authorization header. */
    public static ApiException ambiguousAuthorization(String code) {
        return new ApiException(
                HttpStatus.BAD_REQUEST, INVALID_REQUEST, code, null, "send exactly one Authorization header");
    }

    /** 403: the configured admin key is a tenant key too. */
    public static ApiException adminKeyIsTenantKey(String message) {
        return new ApiException(HttpStatus.FORBIDDEN, INVALID_REQUEST, "admin_key_is_tenant_key", null, message);
    }

    /** 403: an auditor key asked for something that changes state (admin key roles). */
    public static ApiException adminRoleReadOnly(String message) {
        return new ApiException(HttpStatus.FORBIDDEN, "permission_error", "admin_role_read_only", null, message);
    }

    /** 403: this admin key may not read stored content (it lacks the content-read grant). */
    public static ApiException contentNotGranted(String param, String message) {
        return new ApiException(HttpStatus.FORBIDDEN, "permission_error", "content_not_granted", param, message);
    }

    /** 404: the admin API is off. */
    public static ApiException adminApiDisabled(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "admin_api_disabled", null, message);
    }

    /** The tenant's licence terms refuse this use of the model; 4xx is the caller's, 5xx the gateway's. */
    public static ApiException licenceDenied(int status, String code, String message) {
        HttpStatus s = HttpStatus.valueOf(status);
        return new ApiException(s, s.is4xxClientError() ? "permission_error" : SERVER_ERROR, code, null, message);
    }

    // --- what the gateway decided ---

    /** 400: the input guard blocked the prompt; {@code extra} carries categories, scores and the rule. */
    public static ApiException promptBlocked(String message, Map<String, Object> extra) {
        return new ApiException(
                HttpStatus.BAD_REQUEST, INVALID_REQUEST, "content_filter", "prompt", message, null, extra);
    }

    /** A refusal by the rate limiter answered with another status than 429 (a request too large for any limit). */
    public static ApiException rateLimitRefused(int status, String code, String message, Duration retryAfter) {
        HttpStatus s = HttpStatus.valueOf(status);
        return new ApiException(
                s, s.value() == 429 ? "rate_limit_error" : SERVER_ERROR, code, null, message, retryAfter, Map.of());
    }

    /** 429: the engine is saturated; {@code retryAfter} as it said. */
    public static ApiException engineOverloaded(String message, Duration retryAfter) {
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate_limit_error",
                "engine_overloaded",
                null,
                message,
                retryAfter,
                Map.of());
    }

    // --- the gateway or what is behind it ---

    /** 503 with Retry-After 5 s: an audit store that cannot take or give records; {@code code} says which. */
    public static ApiException auditUnavailable(String code, String message) {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, SERVER_ERROR, code, null, message, Duration.ofSeconds(5), Map.of());
    }

    /** 400 from the engine: it refused the request as sent. */
    public static ApiException engineRefused(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_request", null, message);
    }

    /**
     * The engine refused the request itself (a 4xx other than 401/403/429): its status, and its OpenAI
     * {@code type}, {@code code} and {@code param}, go back to the client unchanged.
     */
    public static ApiException upstreamRefused(
            HttpStatus status, String type, String code, String param, String message) {
        return new ApiException(status, type, code, param, message);
    }

    /** 400: a request field the model's server kind cannot honour ({@code warden.models[*].remote.server}). */
    public static ApiException unsupportedParameter(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "unsupported_parameter", param, message);
    }

    /** 400: {@code /v1/embeddings} for a model that does not declare embeddings. */
    public static ApiException modelNotEmbedding(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "model_not_embedding", "model", message);
    }

    /** 404: a {@code previous_response_id} this tenant has no stored response for. */
    public static ApiException previousResponseNotFound(String message) {
        return new ApiException(
                HttpStatus.NOT_FOUND, INVALID_REQUEST, "previous_response_not_found", "previous_response_id", message);
    }

    /** 404: {@code /v1/responses/{id}} that this tenant has no stored response for. */
    public static ApiException storedResponseNotFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "not_found", "response_id", message);
    }

    /** 503 from the engine: none of its servers can take the request now. */
    public static ApiException engineUnavailable(String message, Duration retryAfter) {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, SERVER_ERROR, "model_unavailable", null, message, retryAfter, Map.of());
    }

    /** 502: the engine answered with something that is not an answer. */
    public static ApiException upstreamError(String message) {
        return new ApiException(HttpStatus.BAD_GATEWAY, SERVER_ERROR, "upstream_error", null, message);
    }

    /** 504: the engine did not answer in time. */
    public static ApiException upstreamTimeout(String message) {
        return new ApiException(HttpStatus.GATEWAY_TIMEOUT, SERVER_ERROR, "upstream_timeout", null, message);
    }

    /** Another status Spring decided on (a {@code ResponseStatusException}); {@code reason} must be safe to show. */
    public static ApiException withStatus(int status, String reason) {
        HttpStatus s = HttpStatus.resolve(status);
        return new ApiException(
                s == null ? HttpStatus.INTERNAL_SERVER_ERROR : s,
                status >= 400 && status < 500 ? INVALID_REQUEST : SERVER_ERROR,
                null,
                null,
                reason);
    }

    /** 500: anything unforeseen; the details go to the log under the request id, never to the client. */
    public static ApiException internal() {
        return new ApiException(
                HttpStatus.INTERNAL_SERVER_ERROR,
                SERVER_ERROR,
                "internal_error",
                null,
                "the gateway failed to process the request; quote the x-request-id header when reporting this");
    }

    // --- the Files and Batch API ---

    /** 400: an upload's line {@code line} (from 1) is not a batch request; {@code "line"} is added to the error. */
    public static ApiException invalidFileLine(int line, String problem) {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                INVALID_REQUEST,
                "invalid_file",
                "file",
                "line " + line + ": " + problem,
                null,
                Map.of("line", line));
    }

    /** 400: an upload that is not a batch input file as a whole (no request in it). */
    public static ApiException invalidFile(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_file", "file", message);
    }

    /** 413: an upload larger than {@code warden.batch.max-file-size}. */
    public static ApiException fileTooLarge(String message) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, INVALID_REQUEST, "file_too_large", "file", message);
    }

    /** 415: an upload that is not {@code multipart/form-data}. */
    public static ApiException uploadMediaType(String message) {
        return new ApiException(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, "unsupported_media_type", null, message);
    }

    /** 404: no file or batch of the caller's tenant by this id ({@code code} {@code file_not_found} or {@code batch_not_found}). */
    public static ApiException batchObjectNotFound(String code, String param, String message) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, code, param, message);
    }

    /** 409: the file or batch is not in a state that allows this ({@code file_in_use}, {@code batch_not_cancellable}). */
    public static ApiException batchConflict(String code, String message) {
        return new ApiException(HttpStatus.CONFLICT, INVALID_REQUEST, code, null, message);
    }

    /** 503: the gateway is stopping and takes no new batches. */
    public static ApiException batchesUnavailable(String message) {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                SERVER_ERROR,
                "batches_unavailable",
                null,
                message,
                Duration.ofSeconds(5),
                Map.of());
    }
}
