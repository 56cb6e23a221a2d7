package dev.warden.gateway.admin;

import java.util.Locale;

/**
 * What an admin key may do. {@link #ADMIN}: everything. {@link #AUDITOR}: read everything but stored content
 * (records, decisions, scores, hashes, chain verification), change nothing; stored content only with the
 * {@link AdminIdentity#CONTENT_READ} grant.
 */
public enum AdminRole {
    ADMIN,
    AUDITOR;

    /** {@code admin} or {@code auditor}, as written in the configuration and shown in the console. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static AdminRole parse(String value, String where) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(where + ".role is missing; it is 'admin' or 'auditor'");
        }
        for (AdminRole r : values()) {
            if (r.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException(where + ".role must be 'admin' or 'auditor', not '" + value + "'");
    }
}
