package dev.warden.policy.tenant;

import dev.warden.policy.ratelimit.LimitSet;

/** Who is calling: the tenant and the key they authenticated with. */
public record Principal(Tenant tenant, ApiKey key) {

    public String tenantId() {
        return tenant.id();
    }

    /** The non-secret key id for logs and audit. */
    public String keyId() {
        return key.id();
    }

    public TenantPolicy policy() {
        return tenant.policy();
    }

    /** Per-key limits: the key's own override, else the tenant's per-key limits. */
    public LimitSet keyLimits() {
        return key.limits() != null ? key.limits() : tenant.policy().limits().key();
    }
}
