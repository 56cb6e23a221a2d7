package dev.warden.guard.llamaguard;

import dev.warden.inference.TokenLogprob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Llama Guard's unsafe score from the logprobs of an OpenAI-style completion (spec 1.5): the first generated token
 * whose stripped text is {@code safe} or {@code unsafe} carries the decision, so the probability of {@code unsafe}
 * at that position is the score; if only {@code safe} is among the alternatives, it is one minus that. Tokens
 * that strip to nothing (the 8B's leading {@code \n\n}) are skipped. Alternatives whose text strips to the same
 * word (e.g. {@code unsafe} and {@code " unsafe"}) are added up.
 */
final class UnsafeProbability {

    private UnsafeProbability() {}

    static OptionalDouble of(List<TokenLogprob> logprobs) {
        if (logprobs == null) {
            return OptionalDouble.empty();
        }
        for (TokenLogprob position : logprobs) {
            if (LlamaGuardPrompt.pythonStrip(position.token()).isEmpty()) {
                continue;
            }
            // the chosen token and its alternatives, once each: OpenAI lists the chosen one among top_logprobs
            Map<String, Double> candidates = new LinkedHashMap<>();
            candidates.put(position.token(), position.logprob());
            if (position.top() != null) {
                for (TokenLogprob.Alternative alternative : position.top()) {
                    candidates.putIfAbsent(alternative.token(), alternative.logprob());
                }
            }
            double unsafe = 0;
            double safe = 0;
            boolean sawUnsafe = false;
            boolean sawSafe = false;
            for (Map.Entry<String, Double> candidate : candidates.entrySet()) {
                String word = LlamaGuardPrompt.pythonStrip(candidate.getKey());
                if (word.equals("unsafe")) {
                    unsafe += Math.exp(candidate.getValue());
                    sawUnsafe = true;
                } else if (word.equals("safe")) {
                    safe += Math.exp(candidate.getValue());
                    sawSafe = true;
                }
            }
            if (sawUnsafe) {
                return OptionalDouble.of(Math.min(1.0, unsafe));
            }
            if (sawSafe) {
                return OptionalDouble.of(Math.max(0.0, 1.0 - safe));
            }
            return OptionalDouble.empty();
        }
        return OptionalDouble.empty();
    }
}
