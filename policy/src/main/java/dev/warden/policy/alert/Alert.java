package dev.warden.policy.alert;

import java.time.Instant;
import java.util.Map;

/**
 * One firing alert. {@code key} identifies what it is about (rule, tenant, category) for de-duplication: the same
 * key is sent once per de-duplication window however often it is found firing.
 */
public record Alert(
        String key, String rule, Severity severity, String summary, Map<String, String> labels, Instant time) {

    public enum Severity {
        WARNING,
        CRITICAL
    }

    public Alert {
        labels = Map.copyOf(labels);
    }
}
