package dev.warden.gateway.telemetry;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Traces, under {@code warden.tracing}. Off by default.
 *
 * @param enabled             export a trace of every request (one span per request, a child per stage and per
 *                            classifier) by OTLP
 * @param endpoint            OTLP/HTTP traces endpoint; default {@code http://localhost:4318/v1/traces}
 * @param samplingProbability share of new traces recorded, 0 to 1 (default 1); a client's sampled
 *                            {@code traceparent} is followed
 */
@ConfigurationProperties("warden.tracing")
public record TracingProperties(boolean enabled, String endpoint, Double samplingProbability) {

    public TracingProperties {
        endpoint = endpoint == null || endpoint.isBlank() ? "http://localhost:4318/v1/traces" : endpoint;
        samplingProbability = samplingProbability == null ? 1.0 : samplingProbability;
        if (samplingProbability < 0 || samplingProbability > 1) {
            throw new IllegalArgumentException(
                    "warden.tracing.sampling-probability must be between 0 and 1, not " + samplingProbability);
        }
    }
}
