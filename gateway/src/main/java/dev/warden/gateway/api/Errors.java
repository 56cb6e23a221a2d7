package dev.warden.gateway.api;

import dev.warden.inference.InferenceException;
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

    private Errors() {}

    public static ApiException toApi(Throwable t) {
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof InferenceException ie) {
            return fromInference(ie);
        }
        if (t instanceof DataBufferLimitException || hasCause(t, DataBufferLimitException.class)) {
            return ApiErrors.tooLarge();
        }
        if (t instanceof io.netty.handler.timeout.TimeoutException
                || hasCause(t, io.netty.handler.timeout.TimeoutException.class)) {
            // warden.server.read-timeout / request-timeout: the client stopped sending its body.
            return ApiErrors.requestTimeout();
        }
        if (t instanceof UnsupportedMediaTypeStatusException || t instanceof InvalidMediaTypeException) {
            return ApiErrors.unsupportedMediaType();
        }
        if (t instanceof MethodNotAllowedException m) {
            return ApiErrors.methodNotAllowed("method " + m.getHttpMethod() + " is not allowed here");
        }
        if (t instanceof NotAcceptableStatusException) {
            return ApiErrors.notAcceptable();
        }
        if (t instanceof ServerWebInputException) {
            // Its reason can name decoder classes; the client only needs to know the request was unreadable.
            return ApiErrors.invalidRequest("the request could not be read", null);
        }
        if (t instanceof ResponseStatusException rs && rs.getStatusCode().value() == 404) {
            return ApiErrors.endpointNotFound(
                    "no such endpoint; this gateway serves /v1/chat/completions, /v1/completions, /v1/models, "
                            + "/v1/moderations and /v1/safety/run-shield");
        }
        if (t instanceof ResponseStatusException rs) {
            return ApiErrors.withStatus(
                    rs.getStatusCode().value(), rs.getReason() == null ? "request failed" : rs.getReason());
        }
        return ApiErrors.internal();
    }

    public static ApiException fromInference(InferenceException e) {
        return switch (e.kind()) {
            case OVERLOADED -> ApiErrors.engineOverloaded(e.getMessage(), e.retryAfter());
            case INVALID_REQUEST -> refusedUpstream(e);
            case UNAVAILABLE -> ApiErrors.engineUnavailable(e.getMessage(), e.retryAfter());
            case UPSTREAM_ERROR -> ApiErrors.upstreamError(e.getMessage());
            case TIMEOUT -> ApiErrors.upstreamTimeout(e.getMessage());
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
            return ApiErrors.engineRefused(e.getMessage());
        }
        String code = upstream.code() != null
                ? upstream.code()
                : switch (status) {
                    case NOT_FOUND -> "not_found";
                    case CONTENT_TOO_LARGE -> "request_too_large";
                    case UNPROCESSABLE_CONTENT -> "unprocessable_entity";
                    default -> "invalid_request";
                };
        String type = upstream.type() != null ? upstream.type() : "invalid_request_error";
        return ApiErrors.upstreamRefused(status, type, code, upstream.param(), e.getMessage());
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
