package dev.warden.guard.embedded;

import dev.warden.guard.Calibrated;
import dev.warden.guard.Classifier;
import dev.warden.guard.GuardInput;
import dev.warden.guard.OperatingPoint;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * What the embedded classifiers share: heads from one head file over the shared encoder, named and versioned by
 * that file, and one way of turning their scores, or a failure to get them, into a verdict.
 */
abstract class EmbeddedHeadsClassifier implements Classifier, Calibrated {

    final SharedEncoder encoder;
    final HeadFiles.Model model;
    private final String name;

    EmbeddedHeadsClassifier(String name, SharedEncoder encoder, HeadFiles.Model model) {
        this.name = name;
        this.encoder = encoder;
        this.model = model;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String version() {
        return model.version();
    }

    /** Validation operating points of this head file's labels (score 0.5 after calibration). */
    @Override
    public final Map<String, OperatingPoint> operatingPoints() {
        return model.operatingPoints();
    }

    @Override
    public final Mono<Verdict> classify(GuardInput input) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            // an encoder that is busy or failing is an ERROR verdict the guard's policy decides on, never an exception
            return scores(input)
                    .map(s -> Verdict.ok(name, version(), s, since(start)))
                    .onErrorResume(e -> Mono.just(Verdict.failed(
                            name,
                            version(),
                            Verdict.Status.ERROR,
                            since(start),
                            e.getClass().getSimpleName() + ": " + e.getMessage())));
        });
    }

    /** The verdict's scores for one input. */
    abstract Mono<Map<String, Double>> scores(GuardInput input);

    /** The non-blank contents of the conversation's turns in {@code role}. */
    static List<String> texts(GuardInput input, Role role) {
        return input.conversation().stream()
                .filter(m -> m.role() == role)
                .map(ChatMessage::content)
                .filter(c -> !c.isBlank())
                .toList();
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
