package dev.warden.inference.remote;

import java.time.Duration;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Checks every replica on a fixed interval ({@code GET <base><path>}) and takes the ones that fail out of
 * rotation until they pass again. A slow round never queues up behind itself: ticks that find one still running
 * are dropped.
 */
final class HealthProbe {

    private HealthProbe() {}

    static Disposable start(List<Replica> replicas, RemoteEngineSettings.Health health) {
        return Flux.interval(Duration.ZERO, health.interval())
                .onBackpressureDrop()
                .concatMap(
                        tick -> Flux.fromIterable(replicas)
                                .flatMap(r -> check(r, health))
                                .then(),
                        0)
                .subscribe();
    }

    static Mono<Void> check(Replica replica, RemoteEngineSettings.Health health) {
        return replica.http()
                .get()
                .uri(health.path())
                .responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
                .timeout(health.timeout())
                .doOnNext(code -> replica.markHealth(code >= 200 && code < 300, "HTTP " + code))
                .onErrorResume(e -> {
                    replica.markHealth(false, e.getClass().getSimpleName() + ": " + e.getMessage());
                    return Mono.empty();
                })
                .then();
    }
}
