package dev.warden.gateway.tenancy;

import dev.warden.gateway.WardenProperties;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantDirectory;
import dev.warden.policy.tenant.TenantFileBootstrap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Licences and tenants from the files under {@code config/}, reloaded when they change. */
@Configuration(proxyBeanMethods = false)
public class TenancyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TenancyConfiguration.class);

    @Bean
    LicenceCatalog licenceCatalog(WardenProperties properties) {
        LicenceCatalog catalog = LicenceCatalog.load(properties.licencesDir());
        log.info("{} licence descriptor(s) from {}", catalog.all().size(), properties.licencesDir());
        return catalog;
    }

    @Bean(destroyMethod = "close")
    TenantDirectory tenantDirectory(WardenProperties properties, LicenceCatalog licences) {
        Path firstKey = properties.dataDir().resolve("first-api-key.txt");
        Optional<Path> created = TenantFileBootstrap.createIfMissing(
                properties.tenantsFile(), properties.tenantsExample(), firstKey, licences);
        created.ifPresent(path -> log.warn(
                "created {} with a first API key for tenant '{}'; the key is in {} " + "(readable by this user only)",
                properties.tenantsFile(),
                TenantFileBootstrap.FIRST_TENANT,
                path));
        TenantDirectory directory = TenantDirectory.load(properties.tenantsFile(), licences);
        directory.addListener(new TenantDirectory.Listener() {
            @Override
            public void reloaded(TenantDirectory d, String policyVersion) {
                log.info("reloaded {} (policy version {})", d.file(), policyVersion);
            }

            @Override
            public void rejected(TenantDirectory d, dev.warden.policy.tenant.InvalidConfigException problem) {
                log.error("rejected {}: {}; the last good version stays in force", d.file(), problem.getMessage());
            }
        });
        return directory.watch(Duration.ofSeconds(2));
    }
}
