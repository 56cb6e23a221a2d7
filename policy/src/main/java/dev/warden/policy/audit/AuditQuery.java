package dev.warden.policy.audit;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Filters over request records, or over {@link AdminAction}s with {@code kind} (retention checkpoints are never
 * returned). Every filter is optional; set values
 * mean "any of". {@code from} is inclusive, {@code to} exclusive. Results are ordered newest first with ties broken
 * by tenant and sequence, so pages are stable while new records arrive.
 */
public record AuditQuery(
        Instant from,
        Instant to,
        String tenant,
        String model,
        Set<Outcome> outcomes,
        Set<String> decisions,
        String category,
        String classifier,
        String requestId,
        int limit,
        String cursor,
        AuditEntry.Kind kind,
        String keyId,
        boolean tenantsOnly) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        outcomes = outcomes == null ? Set.of() : Set.copyOf(outcomes);
        decisions = decisions == null ? Set.of() : Set.copyOf(decisions);
        kind = kind == null ? AuditEntry.Kind.REQUEST : kind;
        if (keyId != null && !keyId.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("keyId must be the 8 lower-case hex digits of a key id: " + keyId);
        }
        if (limit <= 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ": " + limit);
        }
    }

    public static AuditQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder()
                .from(from)
                .to(to)
                .tenant(tenant)
                .model(model)
                .category(category)
                .classifier(classifier)
                .requestId(requestId)
                .limit(limit)
                .cursor(cursor)
                .kind(kind)
                .keyId(keyId)
                .tenantsOnly(tenantsOnly);
        b.outcomes.addAll(outcomes);
        b.decisions.addAll(decisions);
        return b;
    }

    public static final class Builder {
        private Instant from;
        private Instant to;
        private String tenant;
        private String model;
        private final Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
        private final Set<String> decisions = new LinkedHashSet<>();
        private String category;
        private String classifier;
        private String requestId;
        private int limit = DEFAULT_LIMIT;
        private String cursor;
        private AuditEntry.Kind kind = AuditEntry.Kind.REQUEST;
        private String keyId;
        private boolean tenantsOnly;

        public Builder from(Instant from) {
            this.from = from;
            return this;
        }

        public Builder to(Instant to) {
            this.to = to;
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder outcome(Outcome... outcomes) {
            this.outcomes.addAll(Set.of(outcomes));
            return this;
        }

        public Builder decision(String... decisions) {
            this.decisions.addAll(Set.of(decisions));
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder classifier(String classifier) {
            this.classifier = classifier;
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder cursor(String cursor) {
            this.cursor = cursor;
            return this;
        }
        /** Which entries: request records (the default) or {@link AdminAction}s; retention checkpoints never. */
        public Builder kind(AuditEntry.Kind kind) {
            this.kind = kind;
            return this;
        }
        /** The API key's id ({@code ApiKeys.keyId}: 8 hex digits of its hash). */
        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }
        /**
         * Only tenants' records: leaves out the reserved chains, whose ids start with '~' (refused authentications,
         * admin actions), which are not requests of any tenant.
         */
        public Builder tenantsOnly(boolean tenantsOnly) {
            this.tenantsOnly = tenantsOnly;
            return this;
        }

        public AuditQuery build() {
            return new AuditQuery(
                    from,
                    to,
                    tenant,
                    model,
                    outcomes,
                    decisions,
                    category,
                    classifier,
                    requestId,
                    limit,
                    cursor,
                    kind,
                    keyId,
                    tenantsOnly);
        }
    }
}
