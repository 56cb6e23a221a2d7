package dev.warden.inference.remote;

import dev.warden.inference.InferenceException;
import dev.warden.inference.InferenceException.Kind;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.core.JacksonException;

/**
 * What upstream failures mean to the client, and which of them are worth another replica.
 * 5xx, broken connections and bad protocol are {@link Kind#UPSTREAM_ERROR}; time limits {@link Kind#TIMEOUT};
 * a 4xx is the client's own request ({@link Kind#INVALID_REQUEST}, with the upstream's status, message and code),
 * except 429
 * (the upstream is busy: {@link Kind#OVERLOADED}) and 401/403 (our upstream credentials are wrong, which is not
 * the client's fault: {@link Kind#UPSTREAM_ERROR}).
 */
final class UpstreamErrors {

    private UpstreamErrors() {}

    static InferenceException status(Replica replica, int status, String body, String retryAfter) {
        String upstreamMessage = OpenAiWire.errorMessage(body);
        String message = upstreamMessage != null ? upstreamMessage : "HTTP " + status;
        if (status == 429) {
            return new InferenceException(
                    Kind.OVERLOADED, "upstream is busy: " + message, retryAfter(retryAfter), null);
        }
        if (status == 401 || status == 403) {
            return new InferenceException(
                    Kind.UPSTREAM_ERROR, replica.label() + " rejected the gateway's credentials (HTTP " + status + ")");
        }
        if (status >= 400 && status < 500) {
            // the client's request as the upstream saw it: its status and code go back to the client unchanged
            String[] fields = OpenAiWire.errorFields(body);
            return new InferenceException(
                    Kind.INVALID_REQUEST,
                    message,
                    null,
                    null,
                    new InferenceException.Upstream(status, fields[0], fields[1], fields[2]));
        }
        return new InferenceException(
                Kind.UPSTREAM_ERROR, replica.label() + " answered HTTP " + status + ": " + message);
    }

    static InferenceException classify(Replica replica, Throwable e) {
        if (e instanceof InferenceException ie) {
            return ie;
        }
        if (e instanceof CallNotPermittedException) {
            return new InferenceException(Kind.UNAVAILABLE, "circuit open for " + replica.label(), null, e);
        }
        if (e instanceof ConnectTimeoutException) {
            return new InferenceException(Kind.TIMEOUT, "connecting to " + replica.label() + " timed out", null, e);
        }
        String type = e.getClass().getSimpleName();
        if (type.equals("PoolAcquireTimeoutException") || type.equals("PoolAcquirePendingLimitException")) {
            return new InferenceException(
                    Kind.OVERLOADED, "no free connection to " + replica.label(), Duration.ofSeconds(1), e);
        }
        if (e instanceof PrematureCloseException) {
            return new InferenceException(Kind.UPSTREAM_ERROR, replica.label() + " closed the connection", null, e);
        }
        if (e instanceof ConnectException) {
            return new InferenceException(Kind.UPSTREAM_ERROR, "cannot connect to " + replica.label(), null, e);
        }
        if (e instanceof IOException) {
            return new InferenceException(
                    Kind.UPSTREAM_ERROR, "I/O error with " + replica.label() + ": " + e.getMessage(), null, e);
        }
        if (e instanceof JacksonException) {
            return new InferenceException(Kind.UPSTREAM_ERROR, replica.label() + " sent invalid JSON", null, e);
        }
        return new InferenceException(Kind.UPSTREAM_ERROR, "call to " + replica.label() + " failed: " + e, null, e);
    }

    /** Worth another replica: the failure says something about this replica, not about the request. */
    static boolean worthAnotherReplica(Throwable e) {
        return e instanceof InferenceException ie && ie.kind() != Kind.INVALID_REQUEST;
    }

    /** Counts against a replica's circuit: it failed or was too slow, as opposed to refusing a bad request. */
    static boolean countsAgainstReplica(Throwable e) {
        return e instanceof InferenceException ie && (ie.kind() == Kind.UPSTREAM_ERROR || ie.kind() == Kind.TIMEOUT);
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return Duration.ofSeconds(1);
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }
}
