package dev.warden.policy.tenant;

import java.util.List;

public record Tenant(String id, String name, TenantPolicy policy, List<ApiKey> keys) {

    public Tenant {
        keys = List.copyOf(keys);
    }
}
