package dev.warden.inference.remote;

import dev.warden.inference.InferenceException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a call on one replica after another. Each attempt is decorated with its replica's circuit breaker; a failure
 * worth another replica is retried on the next one in rotation, up to {@code retries} times, but only while nothing
 * has gone downstream: once a chunk was emitted, retrying would repeat or splice output, so the failure ends the
 * stream instead.
 */
final class Failover {

    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    private final String model;
    private final ReplicaRotation rotation;
    private final int retries;
    private final Duration retryAfterWhenNone;

    Failover(String model, ReplicaRotation rotation, int retries, Duration retryAfterWhenNone) {
        this.model = model;
        this.rotation = rotation;
        this.retries = retries;
        this.retryAfterWhenNone = retryAfterWhenNone;
    }

    <T> Flux<T> flux(Function<Replica, Flux<T>> call) {
        return Flux.defer(() -> attemptStream(call, new Attempts()));
    }

    <T> Mono<T> mono(Function<Replica, Mono<T>> call) {
        return Mono.defer(() -> attemptOne(call, new Attempts()));
    }

    private <T> Flux<T> attemptStream(Function<Replica, Flux<T>> call, Attempts state) {
        Replica replica = rotation.next(state.tried);
        if (replica == null) {
            return Flux.error(state.last != null ? state.last : noReplica());
        }
        state.tried |= 1L << replica.index();
        return call.apply(replica)
                // Classified before the breaker sees them: it counts only upstream errors and time-outs.
                .onErrorMap(e -> UpstreamErrors.classify(replica, e))
                .transformDeferred(CircuitBreakerOperator.of(replica.breaker()))
                .onErrorMap(CallNotPermittedException.class, e -> UpstreamErrors.classify(replica, e))
                .doOnNext(x -> state.emitted = true)
                .onErrorResume(
                        e -> state.emitted || !another(state, replica, e) ? Flux.error(e) : attemptStream(call, state));
    }

    private <T> Mono<T> attemptOne(Function<Replica, Mono<T>> call, Attempts state) {
        Replica replica = rotation.next(state.tried);
        if (replica == null) {
            return Mono.error(state.last != null ? state.last : noReplica());
        }
        state.tried |= 1L << replica.index();
        return call.apply(replica)
                // Classified before the breaker sees them: it counts only upstream errors and time-outs.
                .onErrorMap(e -> UpstreamErrors.classify(replica, e))
                .transformDeferred(CircuitBreakerOperator.of(replica.breaker()))
                .onErrorMap(CallNotPermittedException.class, e -> UpstreamErrors.classify(replica, e))
                .onErrorResume(e -> another(state, replica, e) ? attemptOne(call, state) : Mono.error(e));
    }

    private boolean another(Attempts state, Replica failed, Throwable e) {
        if (state.retried >= retries || !UpstreamErrors.worthAnotherReplica(e)) {
            return false;
        }
        state.retried++;
        state.last = (InferenceException) e;
        log.warn("model {}: {} failed before any output ({}), trying again", model, failed.baseUrl(), e.getMessage());
        return true;
    }

    private InferenceException noReplica() {
        return new InferenceException(
                InferenceException.Kind.UNAVAILABLE,
                "no replica of model '" + model + "' is available (all down or circuits open)",
                retryAfterWhenNone,
                null);
    }

    /** What one request has been through; touched only by its own serialised signals. */
    private static final class Attempts {
        long tried;
        int retried;
        boolean emitted;
        InferenceException last;
    }
}
