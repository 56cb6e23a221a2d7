package dev.warden.guard.stream;

import java.util.List;

/** What the gateway's check decided about one window. */
public sealed interface WindowResult permits WindowResult.Pass, WindowResult.Violation {

    static WindowResult pass() {
        return Pass.INSTANCE;
    }

    static WindowResult violation(List<String> categories, String rule) {
        return new Violation(categories, rule);
    }

    /** The window may be released. */
    enum Pass implements WindowResult {
        INSTANCE
    }

    /**
     * The window must not be released and the stream ends.
     *
     * @param categories the labels that fired, e.g. {@code S1} or {@code pii.email}; may be empty
     * @param rule       the policy rule that decided, in words, for the audit record
     */
    record Violation(List<String> categories, String rule) implements WindowResult {
        public Violation {
            categories = categories == null ? List.of() : List.copyOf(categories);
            rule = rule == null ? "" : rule;
        }
    }
}
