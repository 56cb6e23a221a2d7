package dev.warden.gateway.evidence;

import dev.warden.gateway.audit.AuditProperties;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.evidence.PolicyHistory;
import dev.warden.policy.tenant.TenantDirectory;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The evidence around the audit log: policy versions and changes, alerts, the SIEM stream. */
@Configuration(proxyBeanMethods = false)
public class EvidenceConfiguration {

    @Bean
    PolicyHistory policyHistory(AuditLog auditLog) {
        return new PolicyHistory(auditLog, Clock.systemUTC());
    }

    /** With recording off there is no audit trail to put policy changes in. */
    @Bean
    PolicyChanges policyChanges(PolicyHistory history, TenantDirectory tenants, AuditProperties audit) {
        return audit.on() ? new PolicyChanges(history, tenants) : null;
    }
}
