package dev.warden.gateway.admin;

import java.util.Set;

/**
 * Who an admin key belongs to, as far as the gateway knows: the key's id (8 hex digits of its hash, never the key),
 * its role and its grants. This is all the admin API and the console keep about a signed-in key.
 */
public record AdminIdentity(String keyId, AdminRole role, Set<String> grants) {

    /** The grant that lets an auditor see stored prompt and response text. */
    public static final String CONTENT_READ = "content-read";

    public AdminIdentity {
        grants = grants == null ? Set.of() : Set.copyOf(grants);
    }

    /** Admins see everything; an auditor sees stored content only with the {@value #CONTENT_READ} grant. */
    public boolean mayReadContent() {
        return role == AdminRole.ADMIN || grants.contains(CONTENT_READ);
    }

    /** How admin actions name this key: {@code admin:1a2b3c4d}, {@code auditor:5e6f7a8b} ({@link AdminActor}). */
    public String actor() {
        return role.id() + ":" + keyId;
    }

    /** Only admins change anything (retention runs, and whatever else writes). */
    public boolean mayWrite() {
        return role == AdminRole.ADMIN;
    }
}
