package dev.warden.guard.pipeline;

import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a pipeline run produced: one verdict per applicable classifier, in pipeline order (OK, ERROR or TIMEOUT),
 * which classifiers were invoked, which were answered from the verdict cache, which did not apply to the
 * direction, and the wall-clock latency of the whole run.
 */
public record GuardReport(
        List<Verdict> verdicts, List<String> ran, List<String> cached, List<String> skipped, Duration latency) {

    public GuardReport {
        verdicts = List.copyOf(verdicts);
        ran = List.copyOf(ran);
        cached = List.copyOf(cached);
        skipped = List.copyOf(skipped);
    }

    public Optional<Verdict> verdict(String classifier) {
        return verdicts.stream().filter(v -> v.classifier().equals(classifier)).findFirst();
    }

    /**
     * The classifiers whose verdicts this report holds, in pipeline order, whether they ran now or were answered
     * from the verdict cache: the ones a decision made from it rests on.
     */
    public List<String> judgedBy() {
        return verdicts.stream().map(Verdict::classifier).toList();
    }

    /** Whether every applicable classifier gave an OK verdict. */
    public boolean complete() {
        return verdicts.stream().allMatch(Verdict::ok);
    }
}
