package dev.warden.guard.rules;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Replaces what {@link ContentRules} finds with {@code [REDACTED:<label>]}, e.g. {@code [REDACTED:pii.email]}.
 * Policy may redact only some labels (a tenant that allows e-mail addresses but not keys).
 */
public final class Redactor {

    private final ContentRules rules;

    public Redactor(ContentRules rules) {
        this.rules = rules;
    }

    public String redact(String text) {
        return redact(text, Set.copyOf(ContentRules.LABELS));
    }

    public String redact(String text, Collection<String> labels) {
        return apply(
                text,
                rules.scan(text).stream()
                        .filter(d -> labels.contains(d.label()))
                        .toList());
    }

    /** Applies detections (non-overlapping, in text order, as {@link ContentRules#scan} returns them). */
    public static String apply(String text, List<Detection> detections) {
        if (detections.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Detection d : detections) {
            out.append(text, at, d.start())
                    .append("[REDACTED:")
                    .append(d.label())
                    .append(']');
            at = d.end();
        }
        return out.append(text, at, text.length()).toString();
    }
}
