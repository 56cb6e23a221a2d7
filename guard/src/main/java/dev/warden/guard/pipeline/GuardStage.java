package dev.warden.guard.pipeline;

import dev.warden.guard.Classifier;
import java.time.Duration;

/** One classifier in a pipeline, with the time it gets before its verdict becomes TIMEOUT. */
public record GuardStage(Classifier classifier, Duration deadline) {

    public GuardStage {
        if (classifier == null) {
            throw new IllegalArgumentException("classifier is required");
        }
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline of " + classifier.name() + " must be positive");
        }
    }
}
