package dev.warden.guard;

import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * One safety classifier. {@link #classify} is lazy and never blocks the subscriber's thread: CPU-bound models run
 * on the classifier's own bounded executor. A failure the classifier understands is a {@link Verdict} with status
 * ERROR rather than an error signal; the pipeline also turns error signals and deadlines into such verdicts.
 */
public interface Classifier {

    /** Stable name used in policy, metrics, the audit record and responses, e.g. {@code prompt-guard}. */
    String name();

    /** Model and configuration version; part of the verdict cache key, so change it when the model changes. */
    String version();

    /** The directions this classifier can judge. */
    Set<Direction> directions();

    Mono<Verdict> classify(GuardInput input);
}
