package dev.warden.gateway.route;

import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.ratelimit.Reservation;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code RateLimit}: reserves one request and the estimated tokens from the caller's key, tenant and
 * tenant-model limits (Bucket4j, in process or shared through Redis: {@link RateLimitStage}); a refusal is
 * recorded and answered 429 with {@code Retry-After} (503 while a fail-closed limiter's store is unreachable).
 * The stages after it settle the real token count; the reservation is released when the response has been
 * written, a stream's last byte included, or the request ends any other way. {@code RateLimit=files-and-batches}
 * reserves one request from the key's files-and-batches limits instead, and from nothing else (the Files and
 * Batch API's own budget, so that polling a batch does not use up what its lines run on).
 * <p>
 * An equivalent of Spring Cloud Gateway's {@code RequestRateLimiter}, not an implementation of its
 * {@code RateLimiter} contract: that contract takes one permit per key and has nothing to settle, while a
 * generation reserves an estimate of tokens up front and is charged what it really used; and its refusal is an
 * empty 429, where an OpenAI client expects an error body.
 */
@Component
public class RateLimitGatewayFilterFactory extends AbstractGatewayFilterFactory<RateLimitGatewayFilterFactory.Config> {

    /** The argument that limits a route by the key's files-and-batches limits. */
    public static final String FILES_AND_BATCHES = "files-and-batches";

    private final RateLimitStage limits;

    public RateLimitGatewayFilterFactory(RateLimitStage limits) {
        super(Config.class);
        this.limits = limits;
    }

    /** @param budget absent for the request's own limits (key, tenant, model), or {@code files-and-batches} */
    public static final class Config {
        private String budget;

        public String getBudget() {
            return budget;
        }

        public void setBudget(String budget) {
            this.budget = budget;
        }
    }

    @Override
    public List<String> shortcutFieldOrder() {
        return List.of("budget");
    }

    @Override
    public GatewayFilter apply(Config config) {
        String budget = config.getBudget();
        if (budget == null || budget.isEmpty()) {
            return (exchange, chain) -> {
                RequestState state = RequestState.of(exchange);
                return run(
                        limits.reserve(
                                state.record(),
                                state.meteredModel(),
                                state.estimatedTokens(),
                                exchange.getResponse().getHeaders()),
                        state,
                        () -> chain.filter(exchange));
            };
        }
        if (!FILES_AND_BATCHES.equals(budget)) {
            throw new IllegalArgumentException(
                    "RateLimit takes no argument or '" + FILES_AND_BATCHES + "', not '" + budget + "'");
        }
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            return run(
                    limits.reserveFilesAndBatches(
                            state.record(), exchange.getResponse().getHeaders()),
                    state,
                    () -> chain.filter(exchange));
        };
    }

    private static Mono<Void> run(Mono<Reservation> reserved, RequestState state, Supplier<Mono<Void>> rest) {
        return reserved.flatMap(reservation -> {
            state.reserved(reservation);
            return rest.get().doFinally(signal -> reservation.release());
        });
    }
}
