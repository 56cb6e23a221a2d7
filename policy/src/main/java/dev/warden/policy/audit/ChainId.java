package dev.warden.policy.audit;

import java.util.Objects;

/**
 * Which chain an entry belongs to: one per tenant and writer instance. Several gateway replicas share one
 * PostgreSQL store; each seals entries on its own writer thread, so each keeps its own chain per tenant and no two
 * writers ever compete for the same sequence number. The instance is stored next to the hashed body, not in it,
 * so the canonical record format is the same for every writer.
 */
public record ChainId(String tenant, String instance) implements Comparable<ChainId> {

    /** The instance of entries written before chains were per instance (schema V1) and of old spill files. */
    public static final String LEGACY_INSTANCE = "default";

    public ChainId {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(instance, "instance");
    }

    @Override
    public int compareTo(ChainId o) {
        int byTenant = tenant.compareTo(o.tenant);
        return byTenant != 0 ? byTenant : instance.compareTo(o.instance);
    }

    @Override
    public String toString() {
        return tenant + "@" + instance;
    }
}
