package dev.warden.policy.tenant;

import dev.warden.policy.ratelimit.LimitSet;

/**
 * Who is calling: the tenant and the key they authenticated with, and the version of the policy they were found
 * in ({@link dev.warden.policy.audit.PolicyVersion#digest()}; null when built outside a {@link TenantDirectory}),
 * so that the audit record names exactly the rules its decision was made under, even if the file is reloaded
 * while the request runs.
 */
public record Principal(Tenant tenant, ApiKey key, String policyVersion) {

    public Principal(Tenant tenant, ApiKey key) {
        this(tenant, key, null);
    }

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
