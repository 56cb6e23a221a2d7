package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.policy.tenant.TenantDirectory;

/**
 * Who may take a signed evidence bundle. It changes nothing but the admin-actions record, so auditors may, like any
 * other read; but a bundle carries each record's hashed body verbatim, and with it the content of tenants that
 * store content. So an auditor without the content-read grant gets a bundle only of one tenant that stores no
 * content (as its policy says now; a tenant that stored content earlier and stopped still counts as storing it
 * only while its policy says so, and records from before are rare: the flag is meant to be set at the start).
 */
public final class BundleAccess {

    private BundleAccess() {}

    /** Null when {@code who} may take the bundle of {@code tenant} (null: all tenants), else the refusal. */
    public static ApiException refusal(AdminIdentity who, String tenant, TenantDirectory tenants) {
        if (who.mayReadContent()) {
            return null;
        }
        if (tenant == null) {
            boolean anyStores =
                    tenants.tenants().stream().anyMatch(t -> t.policy().audit().storeContent());
            return anyStores
                    ? ApiErrors.contentNotGranted(
                            "tenant",
                            "an evidence bundle of every tenant would "
                                    + "carry the stored content of tenants that keep it; this key may not read content (it needs "
                                    + "the content-read grant). Ask for one tenant that stores no content")
                    : null;
        }
        boolean stores = tenants.tenant(tenant)
                .map(t -> t.policy().audit().storeContent())
                .orElse(false);
        return stores
                ? ApiErrors.contentNotGranted(
                        "tenant",
                        "tenant '" + tenant + "' stores content, which its "
                                + "evidence bundle carries; this key may not read content (it needs the content-read grant)")
                : null;
    }
}
