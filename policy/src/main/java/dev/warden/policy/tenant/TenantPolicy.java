package dev.warden.policy.tenant;

import dev.warden.policy.decision.GuardPolicy;
import dev.warden.policy.licence.LicenceAcceptance;
import dev.warden.policy.ratelimit.RateLimits;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the gateway enforces for one tenant. {@code models} empty means every served model;
 * {@code monthlyActiveUsers} is the tenant's own attestation (licence section 2), -1 when not declared;
 * {@code euLicensee} is true when the tenant is domiciled or has its principal place of business in the EU.
 */
public record TenantPolicy(
        Set<String> models,
        List<Purpose> purposes,
        GuardPolicy guard,
        StreamingPolicy streaming,
        RateLimits limits,
        AuditSettings audit,
        List<LicenceAcceptance> licences,
        long monthlyActiveUsers,
        boolean euLicensee) {

    public TenantPolicy {
        models = Set.copyOf(models);
        purposes = List.copyOf(purposes);
        licences = List.copyOf(licences);
    }

    public boolean allowsModel(String model) {
        return models.isEmpty() || models.contains(model);
    }

    public Optional<Purpose> purpose(String name) {
        return purposes.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<LicenceAcceptance> acceptance(String licenceId, String version) {
        for (LicenceAcceptance a : licences) {
            if (a.licenceId().equals(licenceId) && a.version().equals(version)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
