package dev.warden.inference.remote;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.client.HttpClient;

/** One upstream server of a model: its HTTP client (bound to its base URL), its circuit breaker, its health. */
final class Replica {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    private final int index;
    private final String baseUrl;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    /** POST senders for the generation paths, built once: each {@code post().uri(..)} copies the client's config. */
    private final HttpClient.RequestSender chat;

    private final HttpClient.RequestSender completion;
    private final String label;
    private volatile boolean healthy = true;

    Replica(int index, String baseUrl, HttpClient http, CircuitBreaker breaker) {
        this.index = index;
        this.baseUrl = baseUrl;
        this.http = http;
        this.breaker = breaker;
        this.chat = http.post().uri(RemoteEngine.CHAT_PATH);
        this.completion = http.post().uri(RemoteEngine.COMPLETION_PATH);
        this.label = "replica " + (index + 1);
    }

    /** The sender for POSTs to {@code path}: one of the two generation paths, or a fresh one for any other. */
    HttpClient.RequestSender post(String path) {
        return switch (path) {
            case RemoteEngine.CHAT_PATH -> chat;
            case RemoteEngine.COMPLETION_PATH -> completion;
            default -> http.post().uri(path);
        };
    }

    int index() {
        return index;
    }

    String baseUrl() {
        return baseUrl;
    }

    HttpClient http() {
        return http;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    boolean healthy() {
        return healthy;
    }

    /** In rotation: the last health check passed (or none ran yet) and the circuit lets calls through. */
    boolean available() {
        if (!healthy) {
            return false;
        }
        CircuitBreaker.State state = breaker.getState();
        return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
    }

    void markHealth(boolean up, String why) {
        if (up != healthy) {
            healthy = up;
            if (up) {
                log.info("replica {} is healthy again, back in rotation", baseUrl);
            } else {
                log.warn("replica {} failed its health check ({}), out of rotation", baseUrl, why);
            }
        }
    }

    /** How error messages name a replica: by position, so that internal addresses stay in the logs. */
    String label() {
        return label;
    }

    @Override
    public String toString() {
        return baseUrl;
    }
}
