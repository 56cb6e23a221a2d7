package dev.warden.gateway.responses;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Stored Responses, under {@code warden.responses}.
 *
 * @param retention how long a response created with {@code store} (the default) can be continued with
 *                  {@code previous_response_id} or read back (default 1h); never longer than the tenant's
 *                  {@code audit.retention-days}
 * @param maxStored how many stored responses this gateway keeps in memory at most (default 10000); the oldest go
 *                  first
 */
@ConfigurationProperties("warden.responses")
public record ResponsesProperties(Duration retention, Long maxStored) {

    public ResponsesProperties {
        retention = retention == null ? Duration.ofHours(1) : retention;
        maxStored = maxStored == null ? 10_000L : maxStored;
        if (retention.isNegative() || maxStored < 0) {
            throw new IllegalArgumentException("warden.responses.retention and max-stored must not be negative");
        }
    }
}
