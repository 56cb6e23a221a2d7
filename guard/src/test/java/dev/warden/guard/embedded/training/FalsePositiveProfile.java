package dev.warden.guard.embedded.training;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many benign validation rows of each source a reference head (the shipped one) flags, and the lowest threshold at
 * which a candidate head flags no source more often. A candidate encoder that separates the easy benign rows better
 * lowers a pooled-FPR threshold until one kind of real prompt (arena-hard, offensive-but-not-hateful remarks) crosses
 * it (runs B to D of the encoder fine-tuning, EVALUATION.md): holding every source to the reference's own count makes
 * the candidate's recall the only thing that can move.
 */
final class FalsePositiveProfile {

    private final Map<String, Integer> allowed = new TreeMap<>();
    private final Map<String, Integer> rows = new TreeMap<>();

    /**
     * @param reference each benign source's validation scores under the reference head
     * @param threshold the reference's operating threshold on those scores
     */
    FalsePositiveProfile(Map<String, double[]> reference, double threshold) {
        reference.forEach((source, scores) -> {
            int flagged =
                    (int) Arrays.stream(scores).filter(s -> s >= threshold).count();
            // one row allowed where the reference flags none: a zero is too thin a count to hold a new model to
            allowed.put(source, Math.max(1, flagged));
            rows.put(source, scores.length);
        });
    }

    /** Lowest threshold at which the candidate flags at most the allowed count of every source's rows. */
    double threshold(Map<String, double[]> candidate) {
        double threshold = 0;
        for (var source : candidate.entrySet()) {
            Integer limit = allowed.get(source.getKey());
            if (limit == null) {
                throw new IllegalArgumentException("no reference count for source " + source.getKey());
            }
            threshold = Math.max(threshold, thresholdFlaggingAtMost(source.getValue(), limit));
        }
        return threshold;
    }

    /** How many of the source's rows a candidate may flag. */
    int allowed(String source) {
        return allowed.get(source);
    }

    /** One line per source: rows, the reference's allowance, and what the candidate flags at {@code threshold}. */
    String report(String label, Map<String, double[]> candidate, double threshold) {
        StringBuilder out = new StringBuilder();
        candidate.forEach((source, scores) -> out.append(String.format(
                Locale.ROOT,
                "  %s, validation %s: allowed %d/%d (shipped heads' count, at least 1), candidate flags %d%n",
                label,
                source,
                allowed.get(source),
                rows.get(source),
                Arrays.stream(scores).filter(s -> s >= threshold).count())));
        return out.toString();
    }

    static double thresholdFlaggingAtMost(double[] scores, int limit) {
        if (limit >= scores.length) {
            return 0;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        return Math.nextUp(sorted[sorted.length - 1 - limit]);
    }
}
