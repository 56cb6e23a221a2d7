package dev.warden.gateway.evidence;

import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.PolicyVersion;
import dev.warden.policy.evidence.PolicyHistory;
import dev.warden.policy.tenant.TenantDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the policy in force at start and every reload of the tenants file ({@link PolicyHistory}): the version's
 * documents in the store and, when it changed, a {@code policy.change} admin action. Runs on the caller's thread
 * (start-up, then the tenants-file polling thread), never on an event loop.
 */
public final class PolicyChanges implements TenantDirectory.Listener {

    private static final Logger log = LoggerFactory.getLogger(PolicyChanges.class);

    private final PolicyHistory history;

    public PolicyChanges(PolicyHistory history, TenantDirectory tenants) {
        this.history = history;
        observe(tenants.policy());
        tenants.addListener(this);
    }

    @Override
    public void reloaded(TenantDirectory directory, String policyVersion) {
        observe(directory.policy());
    }

    private void observe(PolicyVersion version) {
        try {
            history.observe(version, AdminAction.GATEWAY)
                    .ifPresent(done -> done.whenComplete((e, failure) -> {
                        if (failure != null) {
                            log.error(
                                    "policy change to {} could not be recorded in the audit log: {}",
                                    PolicyVersion.shortForm(version.digest()),
                                    failure.toString());
                        } else {
                            log.info(
                                    "policy version {} in force; recorded as a policy change (admin chain seq {})",
                                    PolicyVersion.shortForm(version.digest()),
                                    e.seq());
                        }
                    }));
        } catch (RuntimeException e) {
            log.error(
                    "policy version {} could not be recorded in the audit store: {}",
                    PolicyVersion.shortForm(version.digest()),
                    e.toString());
        }
    }
}
