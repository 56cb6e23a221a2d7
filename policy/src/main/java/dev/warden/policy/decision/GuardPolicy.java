package dev.warden.policy.decision;

import dev.warden.guard.Direction;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant's resolved hazard policy: for each direction, label -> rule, with licence and built-in defaults already
 * folded in (so what you see is what is enforced).
 */
public record GuardPolicy(FailMode failMode, Map<String, LabelRule> input, Map<String, LabelRule> output) {

    public GuardPolicy {
        input = Map.copyOf(input);
        output = Map.copyOf(output);
    }

    public Map<String, LabelRule> rules(Direction direction) {
        return direction == Direction.INPUT ? input : output;
    }

    public Optional<LabelRule> rule(Direction direction, String label) {
        return Optional.ofNullable(rules(direction).get(label));
    }
}
