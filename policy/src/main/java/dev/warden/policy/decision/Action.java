package dev.warden.policy.decision;

import java.util.Locale;

/** What policy does with content. Declared from mildest to strictest: when several rules fire, the strictest wins. */
public enum Action {
    ALLOW,
    FLAG,
    REDACT,
    BLOCK;

    public boolean stricterThan(Action other) {
        return compareTo(other) > 0;
    }

    public String lowerCase() {
        return name().toLowerCase(Locale.ROOT);
    }
}
