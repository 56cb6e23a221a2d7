package dev.warden.policy.decision;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What policy decided about one piece of content, and why.
 *
 * @param action    the strictest action any rule asked for
 * @param triggers  every rule that fired (score at or above its threshold, action other than allow)
 * @param rule      the rule that decided, readable, e.g. {@code tenant acme: output S9 >= 0.5 -> block}
 * @param bypassed  classifiers that failed and were let through because the tenant fails open
 */
public record Decision(
        String tenantId,
        Direction direction,
        Action action,
        List<Trigger> triggers,
        String rule,
        List<Bypass> bypassed) {

    /** A rule that fired on a classifier's score. */
    public record Trigger(
            String label, double score, String classifier, Action action, double threshold, String source) {}

    /** A classifier that did not answer, recorded instead of being silently ignored. */
    public record Bypass(String classifier, Verdict.Status status, String detail) {}

    public Decision {
        triggers = List.copyOf(triggers);
        bypassed = List.copyOf(bypassed);
    }

    public boolean blocked() {
        return action == Action.BLOCK;
    }

    /** Labels whose spans must be cut from the content before it goes on (for {@link Action#REDACT}). */
    public Set<String> redactions() {
        Set<String> labels = new LinkedHashSet<>();
        for (Trigger t : triggers) {
            if (t.action() == Action.REDACT) {
                labels.add(t.label());
            }
        }
        return labels;
    }

    /** Every label that fired at the decided action, e.g. the categories of a content-filter error. */
    public Set<String> decisiveLabels() {
        Set<String> labels = new LinkedHashSet<>();
        for (Trigger t : triggers) {
            if (t.action() == action) {
                labels.add(t.label());
            }
        }
        return labels;
    }
}
