package dev.warden.policy.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Something an operator or the gateway did to the evidence itself rather than a request it served: a policy change
 * (the tenants file reloaded), a retention run, an evidence export, a sign-in. Auditors ask who changed the rules
 * and who deleted or took records as much as what the rules decided, so these are entries of a hash chain too, the
 * reserved chain {@link #CHAIN}, and verify, export and age out like any other.
 * <p>
 * {@code action} is a dotted name ({@code policy.change}, {@code retention.run}, {@code audit.export}); {@code actor}
 * says who did it (an admin key's id such as {@code admin:1a2b3c4d}, or {@code gateway} for what the gateway does by
 * itself), never a key; {@code subject} is the tenant it concerns, or null for all; {@code details} is any JSON tree
 * (maps, lists, strings, numbers, booleans) and is hashed with sorted keys.
 */
public record AdminAction(
        String id, Instant time, String action, String actor, String subject, Map<String, Object> details)
        implements AuditEntry {

    /**
     * The reserved chain of admin actions. Tenant ids must start with a letter or digit (TenantFile refuses anything
     * else), so '~' can never be a real tenant's, as with {@link RefusedAuthentication#CHAIN}.
     */
    public static final String CHAIN = "~admin";

    /** The actor of what the gateway does on its own (a policy reload it noticed, a scheduled run). */
    public static final String GATEWAY = "gateway";

    public AdminAction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
    }

    /** A new action with a fresh id. */
    public static AdminAction of(
            Instant time, String action, String actor, String subject, Map<String, Object> details) {
        return new AdminAction("admin-" + UUID.randomUUID(), time, action, actor, subject, details);
    }

    @Override
    public String tenant() {
        return CHAIN;
    }

    @Override
    public Kind kind() {
        return Kind.ADMIN;
    }

    @Override
    public String requestId() {
        return id;
    }

    void putFields(Map<String, Object> m) {
        m.put("id", id);
        m.put("action", action);
        m.put("actor", actor);
        if (subject != null) {
            m.put("subject", subject);
        }
        m.put("details", new TreeMap<>(details));
    }

    @SuppressWarnings("unchecked")
    static AdminAction fromMap(Map<String, Object> m) {
        Object details = m.get("details");
        return new AdminAction(
                String.valueOf(m.get("id")),
                Instant.parse(String.valueOf(m.get("time"))),
                String.valueOf(m.get("action")),
                String.valueOf(m.get("actor")),
                m.get("subject") == null ? null : m.get("subject").toString(),
                details instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of());
    }
}
