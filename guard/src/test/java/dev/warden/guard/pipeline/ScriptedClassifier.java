package dev.warden.guard.pipeline;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/** A classifier whose behaviour the test scripts (to inject slowness, errors and hangs), counting its calls. */
final class ScriptedClassifier implements Classifier {

    final AtomicInteger calls = new AtomicInteger();
    private final String name;
    volatile String version = "v1";
    private final Set<Direction> directions;
    private final Function<GuardInput, Mono<Verdict>> behaviour;

    ScriptedClassifier(String name, Set<Direction> directions, Function<GuardInput, Mono<Verdict>> behaviour) {
        this.name = name;
        this.directions = directions;
        this.behaviour = behaviour;
    }

    static ScriptedClassifier answering(String name, double score) {
        ScriptedClassifier[] self = new ScriptedClassifier[1];
        self[0] = new ScriptedClassifier(
                name, Set.of(Direction.INPUT, Direction.OUTPUT), input -> Mono.fromSupplier(() -> self[0].ok(score)));
        return self[0];
    }

    Verdict ok(double score) {
        return Verdict.ok(name, version, Map.of("unsafe", score), Duration.ofMillis(1));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Set<Direction> directions() {
        return directions;
    }

    @Override
    public Mono<Verdict> classify(GuardInput input) {
        calls.incrementAndGet();
        return behaviour.apply(input);
    }
}
