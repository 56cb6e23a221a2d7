package dev.warden.gateway.flow;

import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.licence.LicenceCheck;
import dev.warden.policy.ratelimit.RateLimiter;
import dev.warden.policy.ratelimit.RateLimiterOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class FlowConfiguration {

    private static final Logger log = LoggerFactory.getLogger(FlowConfiguration.class);

    /**
     * Rate limiting, under {@code warden.rate-limit}.
     *
     * @param redisUri         {@code redis://host:6379} to share limits between gateway replicas; unset keeps them
     *                         in this process
     * @param fallback         while Redis is unreachable: {@code closed} (refuse with 503) or {@code local}
     * @param redisTimeout     time limit of one reservation's Redis work (all its commands, and a connect when the
     *                         connection is not open); a Redis that does not answer within it is treated as
     *                         unreachable, so the fallback applies. Default 250ms
     * @param defaultMaxTokens completion tokens reserved for a request that sets no max_tokens
     */
    @ConfigurationProperties("warden.rate-limit")
    public record RateLimitProperties(
            String redisUri, RateLimiterOptions.Fallback fallback, Duration redisTimeout, Long defaultMaxTokens) {
        public RateLimitProperties {
            // reserved against token limits for a request without max_tokens: zero would let such requests through
            // token limits for free, and a negative reservation would fill the bucket up instead of drawing on it
            if (defaultMaxTokens != null && defaultMaxTokens < 1) {
                throw new IllegalArgumentException(
                        "warden.rate-limit.default-max-tokens must be 1 or more, got " + defaultMaxTokens);
            }
        }
    }

    @Bean(destroyMethod = "close")
    RateLimiter rateLimiter(RateLimitProperties properties, MeterRegistry metrics) {
        RateLimiter limiter =
                properties.redisUri() == null || properties.redisUri().isBlank()
                        ? RateLimiter.create(RateLimiterOptions.local())
                        : RateLimiter.create(RateLimiterOptions.redis(
                                        properties.redisUri(),
                                        properties.fallback() == null
                                                ? RateLimiterOptions.Fallback.LOCAL
                                                : properties.fallback())
                                .withRedisTimeout(
                                        properties.redisTimeout() == null
                                                ? RateLimiterOptions.DEFAULT_REDIS_TIMEOUT
                                                : properties.redisTimeout()));
        // registered at zero, so that a dashboard shows "no fallbacks" rather than no data
        io.micrometer.core.instrument.Counter fallbacks = metrics.counter("warden.ratelimit.fallbacks");
        limiter.onFallback(e -> {
            fallbacks.increment();
            log.warn("rate-limit store unreachable, fallback applies: {}", e.toString());
        });
        io.micrometer.core.instrument.Gauge.builder(
                        "warden.ratelimit.unconfirmed.slot.releases", limiter, RateLimiter::unconfirmedSlotReleases)
                .description("concurrency-slot releases Redis has not confirmed, sent again when it answers")
                .register(metrics);
        return limiter;
    }

    /**
     * Where a reservation that went to Redis hands the request on: the request's next steps must not run on
     * Lettuce's I/O thread (it would hold up every Redis reply) or on the JDK's timer thread.
     */
    @Bean(destroyMethod = "shutdown")
    ThreadPoolExecutor reservationHandOff() {
        return new ThreadPoolExecutor(
                4,
                32,
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "warden-reservation-hand-off");
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    @Bean
    LicenceCheck licenceCheck(LicenceCatalog licences) {
        return new LicenceCheck(licences);
    }

    @Bean
    StreamGuard streamGuard(Guards guards, AuditTrail audit) {
        return new StreamGuard(guards, audit);
    }

    @Bean
    RateLimitStage rateLimitStage(RateLimiter limiter, ThreadPoolExecutor reservationHandOff, AuditTrail audit) {
        return new RateLimitStage(limiter, reservationHandOff, audit);
    }

    @Bean
    OutputGuard outputGuard(Guards guards, StreamGuard streamGuard) {
        return new OutputGuard(guards, streamGuard);
    }
}
