package dev.warden.policy.audit;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One classifier's verdict as the audit log keeps it: what it said ({@code scores}), which labels the policy
 * counted as flagged ({@code categories}), and how long it took. A copy of {@link Verdict}, not a reference,
 * so that the audit format does not move when the guard's types do.
 */
public record ClassifierVerdict(
        String name,
        String version,
        Direction direction,
        Verdict.Status status,
        Map<String, Double> scores,
        List<String> categories,
        Duration latency,
        String detail) {

    /** Labels with at least this score count as flagged when the caller does not say which ones were. */
    public static final double DEFAULT_FLAG_THRESHOLD = 0.5;

    public ClassifierVerdict {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(status, "status");
        scores = scores == null ? Map.of() : Map.copyOf(new TreeMap<>(scores));
        categories = categories == null
                ? List.of()
                : categories.stream().sorted().distinct().toList();
        latency = latency == null ? Duration.ZERO : latency;
    }

    /** The verdict with the categories that the policy decided were flagged. */
    public static ClassifierVerdict of(Direction direction, Verdict verdict, Collection<String> flagged) {
        return new ClassifierVerdict(
                verdict.classifier(),
                verdict.version(),
                direction,
                verdict.status(),
                verdict.scores(),
                List.copyOf(flagged),
                verdict.latency(),
                verdict.detail());
    }

    /** The verdict with every label scoring at least {@link #DEFAULT_FLAG_THRESHOLD} as flagged. */
    public static ClassifierVerdict of(Direction direction, Verdict verdict) {
        List<String> flagged = verdict.scores().entrySet().stream()
                .filter(e -> e.getValue() >= DEFAULT_FLAG_THRESHOLD)
                .map(Map.Entry::getKey)
                .toList();
        return of(direction, verdict, flagged);
    }
}
