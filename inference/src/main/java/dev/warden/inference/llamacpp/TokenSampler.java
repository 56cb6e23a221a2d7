package dev.warden.inference.llamacpp;

import java.util.Arrays;
import java.util.Random;

/**
 * OpenAI-style sampling over a next-token distribution: temperature (0 = greedy) then nucleus (top_p), drawn
 * with a seeded generator. Used where the engine samples itself to report log probabilities.
 */
final class TokenSampler {

    private final double temperature;
    private final double topP;
    private final Random random;

    TokenSampler(Double temperature, Double topP, Long seed) {
        this.temperature = temperature == null ? 1.0 : temperature;
        this.topP = topP == null ? 1.0 : topP;
        this.random = seed == null ? new Random() : new Random(seed);
    }

    int sample(float[] probabilities) {
        int n = probabilities.length;
        if (temperature < 1e-6) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (probabilities[i] > probabilities[best]) {
                    best = i;
                }
            }
            return best;
        }
        // softmax(logits / T) is p^(1/T), renormalised.
        double[] weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.pow(probabilities[i], 1.0 / temperature);
            sum += weights[i];
        }
        // Only tokens with non-negligible weight can matter for top_p; sorting all of a 128k vocabulary per token
        // would dominate the step time.
        int candidates = 0;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (topP >= 1.0 || weights[i] / sum > 1e-9) {
                order[candidates++] = i;
            }
        }
        order = Arrays.copyOf(order, candidates);
        int keep = candidates;
        if (topP < 1.0) {
            Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
            double cumulative = 0;
            for (int i = 0; i < candidates; i++) {
                cumulative += weights[order[i]] / sum;
                if (cumulative >= topP) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += weights[order[i]];
        }
        double r = random.nextDouble() * kept;
        for (int i = 0; i < keep; i++) {
            r -= weights[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
