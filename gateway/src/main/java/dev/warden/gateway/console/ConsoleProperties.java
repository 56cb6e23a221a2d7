package dev.warden.gateway.console;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The compliance console at {@code /console}, under {@code warden.console}. It is on whenever the admin API is
 * ({@code warden.admin.*} keys) unless {@code enabled} is false.
 *
 * @param enabled      false turns the console off (404) while the JSON admin API stays on
 * @param idleTimeout  a session unused this long is gone and the next page asks to sign in again (default 15 min)
 * @param secureCookie marks the session cookie {@code Secure}: set it when browsers reach the gateway over HTTPS
 *                     (through a TLS-terminating proxy); off by default because the gateway itself speaks HTTP
 * @param maxSessions  sessions held at once (in memory, per instance); beyond it new sign-ins are refused
 */
@ConfigurationProperties("warden.console")
public record ConsoleProperties(Boolean enabled, Duration idleTimeout, boolean secureCookie, Integer maxSessions) {

    public ConsoleProperties {
        enabled = enabled == null || enabled;
        idleTimeout = idleTimeout == null ? Duration.ofMinutes(15) : idleTimeout;
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("warden.console.idle-timeout must be positive");
        }
        maxSessions = maxSessions == null ? 1000 : maxSessions;
        if (maxSessions < 1) {
            throw new IllegalArgumentException("warden.console.max-sessions must be at least 1");
        }
    }
}
