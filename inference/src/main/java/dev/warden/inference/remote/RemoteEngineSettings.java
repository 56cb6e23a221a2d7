package dev.warden.inference.remote;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link RemoteEngine} reaches one model served by OpenAI-compatible replicas (vLLM, llama.cpp's server...).
 *
 * @param servedModel    the model name clients send and see in replies
 * @param upstreamModel  the name the replicas know the model by; replaces {@code model} in forwarded bodies
 * @param replicas       base URLs such as {@code http://gpu-1:8000} (a trailing {@code /v1} is dropped); requests go
 *                       to {@code <base>/v1/chat/completions}
 * @param apiKey         sent upstream as {@code Authorization: Bearer <apiKey>}; null sends none
 * @param timeouts       time limits, applied to each attempt
 * @param retries        further attempts, on other replicas where possible, after a failure before the first chunk
 * @param breaker        one circuit breaker per replica
 * @param health         periodic health checks that take replicas out of rotation and back
 * @param maxConnections connection pool size per replica
 */
public record RemoteEngineSettings(
        String servedModel,
        String upstreamModel,
        List<String> replicas,
        String apiKey,
        Timeouts timeouts,
        int retries,
        Breaker breaker,
        Health health,
        int maxConnections) {

    public RemoteEngineSettings {
        Objects.requireNonNull(servedModel, "servedModel");
        upstreamModel = upstreamModel == null || upstreamModel.isBlank() ? servedModel : upstreamModel;
        if (replicas == null || replicas.isEmpty()) {
            throw new IllegalArgumentException("model '" + servedModel + "' needs at least one replica URL");
        }
        if (replicas.size() > 64) {
            throw new IllegalArgumentException("at most 64 replicas per model");
        }
        replicas = replicas.stream().map(RemoteEngineSettings::baseUrl).toList();
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        timeouts = timeouts == null ? Timeouts.defaults() : timeouts;
        breaker = breaker == null ? Breaker.defaults() : breaker;
        health = health == null ? Health.defaults() : health;
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
    }

    /** Defaults: no API key, {@link Timeouts#defaults()}, 1 retry, {@link Breaker#defaults()}, {@link Health#defaults()}, 500 connections. */
    public static RemoteEngineSettings of(String servedModel, String upstreamModel, List<String> replicas) {
        return new RemoteEngineSettings(servedModel, upstreamModel, replicas, null, null, 1, null, null, 500);
    }

    public RemoteEngineSettings withApiKey(String apiKey) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    public RemoteEngineSettings withTimeouts(Timeouts timeouts) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    public RemoteEngineSettings withRetries(int retries) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    public RemoteEngineSettings withBreaker(Breaker breaker) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    public RemoteEngineSettings withHealth(Health health) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    public RemoteEngineSettings withMaxConnections(int maxConnections) {
        return new RemoteEngineSettings(
                servedModel, upstreamModel, replicas, apiKey, timeouts, retries, breaker, health, maxConnections);
    }

    private static String baseUrl(String url) {
        URI uri = URI.create(url.trim());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("replica URL must be http(s)://host[:port][/path]: " + url);
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        // OpenAI clients are configured with ".../v1"; we append the /v1 paths ourselves.
        return s.endsWith("/v1") ? s.substring(0, s.length() - 3) : s;
    }

    /**
     * Time limits of one attempt on one replica.
     *
     * @param connect    TCP connect, and waiting for a pooled connection when the pool is full
     * @param firstToken from the start of an attempt until the first SSE event of a stream
     * @param idleGap    between two SSE events of a stream
     * @param response   a whole non-streamed response
     */
    public record Timeouts(Duration connect, Duration firstToken, Duration idleGap, Duration response) {

        public Timeouts {
            positive(connect, "connect");
            positive(firstToken, "firstToken");
            positive(idleGap, "idleGap");
            positive(response, "response");
        }

        /** 5 s connect, 60 s first token, 30 s idle gap, 300 s whole response. */
        public static Timeouts defaults() {
            return new Timeouts(
                    Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(300));
        }
    }

    /**
     * A Resilience4j count-based circuit breaker per replica. Only upstream errors and time-outs count as failures;
     * a 4xx the client caused does not.
     *
     * @param failureRatePercent  failure rate at or above which the circuit opens
     * @param slidingWindowCalls  calls the rate is computed over
     * @param minimumCalls        calls needed before the rate is computed at all
     * @param waitInOpen          how long the circuit stays open before letting trial calls through
     * @param halfOpenCalls       trial calls in the half-open state
     */
    public record Breaker(
            float failureRatePercent,
            int slidingWindowCalls,
            int minimumCalls,
            Duration waitInOpen,
            int halfOpenCalls) {

        public Breaker {
            if (failureRatePercent <= 0 || failureRatePercent > 100) {
                throw new IllegalArgumentException("failureRatePercent must be in (0, 100]");
            }
            if (slidingWindowCalls < 1 || minimumCalls < 1 || halfOpenCalls < 1) {
                throw new IllegalArgumentException("breaker call counts must be at least 1");
            }
            positive(waitInOpen, "waitInOpen");
        }

        /** Opens at 50 % failures over the last 20 calls (at least 10), stays open 30 s, 3 trial calls. */
        public static Breaker defaults() {
            return new Breaker(50f, 20, 10, Duration.ofSeconds(30), 3);
        }
    }

    /**
     * Health checks: {@code GET <base><path>} every {@code interval}; a failure or non-2xx answer within
     * {@code timeout} takes the replica out of rotation, the next success puts it back.
     * A null or zero interval disables them (every replica counts as healthy).
     */
    public record Health(Duration interval, String path, Duration timeout) {

        public Health {
            path = path == null || path.isBlank() ? "/health" : path.startsWith("/") ? path : "/" + path;
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            positive(timeout, "health timeout");
        }

        /** Every 10 s on {@code /health} (vLLM and llama.cpp's server both answer it), 2 s time limit. */
        public static Health defaults() {
            return new Health(Duration.ofSeconds(10), "/health", Duration.ofSeconds(2));
        }

        public static Health disabled() {
            return new Health(null, "/health", Duration.ofSeconds(2));
        }

        public boolean enabled() {
            return interval != null && !interval.isZero() && !interval.isNegative();
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " time limit must be positive");
        }
    }
}
