package dev.warden.policy.decision;

import dev.warden.guard.Direction;
import dev.warden.guard.HazardCategory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rules that apply before any licence or tenant says otherwise. Every hazard category blocks at 0.5, so a
 * tenant without a licence mapping is strict rather than open. Prompt attacks block at 0.9 on input, the threshold
 * Llama Stack uses for Prompt Guard (they mean nothing on output). Insecure code in a response is flagged: a
 * tenant that runs what the model writes turns that into a block. PII is flagged and secrets are redacted in both
 * directions. Llama Guard's overall {@code unsafe} is flagged: the categories it comes with decide.
 */
public final class DefaultRules {

    public static final String SOURCE = "built-in default";

    private DefaultRules() {}

    public static Map<String, LabelRule> forDirection(Direction direction) {
        Map<String, LabelRule> rules = new LinkedHashMap<>();
        for (HazardCategory c : HazardCategory.values()) {
            put(rules, c.code(), Action.BLOCK, 0.5);
        }
        put(rules, Labels.UNSAFE, Action.FLAG, 0.5);
        if (direction == Direction.INPUT) {
            put(rules, Labels.JAILBREAK, Action.BLOCK, 0.9);
            put(rules, Labels.INJECTION, Action.BLOCK, 0.9);
        } else {
            put(rules, Labels.INSECURE_CODE, Action.FLAG, 0.5);
        }
        for (String label : Labels.DETECTIONS) {
            put(rules, label, label.startsWith("secret.") ? Action.REDACT : Action.FLAG, 0.5);
        }
        return rules;
    }

    private static void put(Map<String, LabelRule> rules, String label, Action action, double threshold) {
        rules.put(label, new LabelRule(label, action, threshold, SOURCE));
    }
}
