package dev.warden.gateway.route;

import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.gateway.flow.RequestState;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;

/**
 * Stage {@code RateLimit}: reserves one request and the estimated tokens from the caller's key, tenant and
 * tenant-model limits (Bucket4j, in process or shared through Redis: {@link RateLimitStage}); a refusal is
 * recorded and answered 429 with {@code Retry-After} (503 while a fail-closed limiter's store is unreachable).
 * The stages after it settle the real token count; the reservation is released when the response has been
 * written, a stream's last byte included, or the request ends any other way.
 * <p>
 * An equivalent of Spring Cloud Gateway's {@code RequestRateLimiter}, not an implementation of its
 * {@code RateLimiter} contract: that contract takes one permit per key and has nothing to settle, while a
 * generation reserves an estimate of tokens up front and is charged what it really used; and its refusal is an
 * empty 429, where an OpenAI client expects an error body.
 */
@Component
public class RateLimitGatewayFilterFactory extends StageFactory {

    private final RateLimitStage limits;

    public RateLimitGatewayFilterFactory(RateLimitStage limits) {
        this.limits = limits;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            return limits.reserve(
                            state.record(),
                            state.meteredModel(),
                            state.estimatedTokens(),
                            exchange.getResponse().getHeaders())
                    .flatMap(reservation -> {
                        state.reserved(reservation);
                        return chain.filter(exchange).doFinally(signal -> reservation.release());
                    });
        };
    }
}
