package dev.warden.gateway.api;

import dev.warden.inference.InferenceException;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/** Maps whatever went wrong to the {@link ApiException} the client sees. Internal details never leak. */
public final class Errors {

    private Errors() {
    }

    public static ApiException toApi(Throwable t) {
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof InferenceException ie) {
            return fromInference(ie);
        }
        if (t instanceof DataBufferLimitException || hasCause(t, DataBufferLimitException.class)) {
            return tooLarge();
        }
        if (t instanceof io.netty.handler.timeout.TimeoutException
                || hasCause(t, io.netty.handler.timeout.TimeoutException.class)) {
            // warden.server.read-timeout / request-timeout: the client stopped sending its body.
            return new ApiException(HttpStatus.REQUEST_TIMEOUT, "invalid_request_error", "request_timeout", null,
                    "the request body was not received in time");
        }
        if (t instanceof UnsupportedMediaTypeStatusException || t instanceof InvalidMediaTypeException) {
            return unsupportedMediaType();
        }
        if (t instanceof MethodNotAllowedException m) {
            return new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", "method_not_allowed",
                    null, "method " + m.getHttpMethod() + " is not allowed here");
        }
        if (t instanceof NotAcceptableStatusException) {
            return new ApiException(HttpStatus.NOT_ACCEPTABLE, "invalid_request_error", "not_acceptable", null,
                    "this endpoint answers with application/json or text/event-stream");
        }
        if (t instanceof ServerWebInputException) {
            // Its reason can name decoder classes; the client only needs to know the request was unreadable.
            return ApiException.invalid(null, "the request could not be read");
        }
        if (t instanceof ResponseStatusException rs && rs.getStatusCode().value() == 404) {
            return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "not_found", null,
                    "no such endpoint; this gateway serves /v1/chat/completions, /v1/completions, /v1/models, "
                            + "/v1/moderations and /v1/safety/run-shield");
        }
        if (t instanceof ResponseStatusException rs) {
            HttpStatus status = HttpStatus.resolve(rs.getStatusCode().value());
            return new ApiException(status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status,
                    rs.getStatusCode().is4xxClientError() ? "invalid_request_error" : "server_error", null, null,
                    rs.getReason() == null ? "request failed" : rs.getReason());
        }
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error", null,
                "the gateway failed to process the request; quote the x-request-id header when reporting this");
    }

    public static ApiException tooLarge() {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "invalid_request_error", "request_too_large", null,
                "the request body is larger than this gateway accepts (warden.max-body-size)");
    }

    public static ApiException unsupportedMediaType() {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error",
                "unsupported_media_type", null, "send the request body as JSON with 'Content-Type: application/json'");
    }

    public static ApiException fromInference(InferenceException e) {
        return switch (e.kind()) {
            case OVERLOADED -> new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "engine_overloaded",
                    null, e.getMessage(), e.retryAfter(), Map.of());
            case INVALID_REQUEST -> refusedUpstream(e);
            case UNAVAILABLE -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "model_unavailable",
                    null, e.getMessage(), e.retryAfter(), Map.of());
            case UPSTREAM_ERROR -> new ApiException(HttpStatus.BAD_GATEWAY, "server_error", "upstream_error", null,
                    e.getMessage());
            case TIMEOUT -> new ApiException(HttpStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout", null,
                    e.getMessage());
        };
    }

    /**
     * A request the engine refused keeps the engine's status (a 404 stays a 404, so a client reports "model not
     * found" rather than "bad request") and its OpenAI {@code type}, {@code code} and {@code param} when it sent
     * them.
     */
    private static ApiException refusedUpstream(InferenceException e) {
        InferenceException.Upstream upstream = e.upstream();
        HttpStatus status = upstream == null ? null : HttpStatus.resolve(upstream.status());
        if (status == null || !status.is4xxClientError()) {
            return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_request", null,
                    e.getMessage());
        }
        String code = upstream.code() != null ? upstream.code() : switch (status) {
            case NOT_FOUND -> "not_found";
            case CONTENT_TOO_LARGE -> "request_too_large";
            case UNPROCESSABLE_CONTENT -> "unprocessable_entity";
            default -> "invalid_request";
        };
        String type = upstream.type() != null ? upstream.type() : "invalid_request_error";
        return new ApiException(status, type, code, upstream.param(), e.getMessage());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
