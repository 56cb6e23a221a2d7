package dev.warden.gateway.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long a client may take to send a request, and how many connections the gateway holds at once, under
 * {@code warden.server}. Slow or half-sent requests are shed instead of holding a connection for the idle timeout.
 *
 * @param headerTimeout  from the first byte of a request to the end of its headers; then 408 and the connection
 *                       is closed (default 10s)
 * @param readTimeout    longest pause between two reads of a request body (default 15s)
 * @param requestTimeout longest time to receive a whole request body (default 60s); the response, a stream
 *                       included, is not limited by it
 * @param maxConnections connections held at once; beyond it new ones are closed at once (default 2048)
 */
@ConfigurationProperties("warden.server")
public record ServerLimits(
        Duration headerTimeout, Duration readTimeout, Duration requestTimeout, Integer maxConnections) {

    public ServerLimits {
        headerTimeout = positive(headerTimeout, Duration.ofSeconds(10), "header-timeout");
        readTimeout = positive(readTimeout, Duration.ofSeconds(15), "read-timeout");
        requestTimeout = positive(requestTimeout, Duration.ofSeconds(60), "request-timeout");
        maxConnections = maxConnections == null ? 2048 : maxConnections;
        if (maxConnections < 1) {
            throw new IllegalArgumentException("warden.server.max-connections must be at least 1");
        }
    }

    private static Duration positive(Duration value, Duration otherwise, String name) {
        if (value == null) {
            return otherwise;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("warden.server." + name + " must be positive");
        }
        return value;
    }
}
