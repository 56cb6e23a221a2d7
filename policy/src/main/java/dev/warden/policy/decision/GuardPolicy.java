package dev.warden.policy.decision;

import dev.warden.guard.Direction;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant's resolved hazard policy: for each direction, label -> rule, with licence and built-in defaults already
 * folded in (so what you see is what is enforced).
 */
public record GuardPolicy(
        FailMode failMode, Map<String, LabelRule> input, Map<String, LabelRule> output, long maxInputChars) {

    /**
     * Characters of client text one request may ask the input guard to judge, unless the tenant sets
     * {@code guard.max-input-chars}: about 5,000 words, which the embedded classifiers can judge whole within their
     * default deadline on a small host. A longer request is refused as too long to judge, never judged in part.
     */
    public static final long DEFAULT_MAX_INPUT_CHARS = 32_000;

    public GuardPolicy {
        input = Map.copyOf(input);
        output = Map.copyOf(output);
        if (maxInputChars < 1) {
            throw new IllegalArgumentException("maxInputChars must be positive");
        }
    }

    public GuardPolicy(FailMode failMode, Map<String, LabelRule> input, Map<String, LabelRule> output) {
        this(failMode, input, output, DEFAULT_MAX_INPUT_CHARS);
    }

    public Map<String, LabelRule> rules(Direction direction) {
        return direction == Direction.INPUT ? input : output;
    }

    public Optional<LabelRule> rule(Direction direction, String label) {
        return Optional.ofNullable(rules(direction).get(label));
    }
}
