package dev.warden.gateway;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's own settings, under {@code warden}. Defaults are the embedded, no-server configuration.
 *
 * @param maxBodySize largest request body accepted; larger ones get 413
 * @param models      the models this gateway serves
 * @param dataDir     where runtime state lives (first API key, audit database, spill files)
 * @param tenantsFile the tenants, keys (hashed) and policies; created with a first key when missing
 * @param tenantsExample the file a missing tenants file is created from
 * @param licencesDir licence descriptors, one YAML file per licence
 */
@Validated
@ConfigurationProperties("warden")
public record WardenProperties(
        DataSize maxBodySize,
        List<ModelProperties> models,
        Path dataDir,
        Path tenantsFile,
        Path tenantsExample,
        Path licencesDir) {

    public WardenProperties {
        maxBodySize = maxBodySize == null ? DataSize.ofMegabytes(4) : maxBodySize;
        models = models == null ? List.of() : List.copyOf(models);
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        tenantsFile = tenantsFile == null ? Path.of("config/tenants.yaml") : tenantsFile;
        tenantsExample = tenantsExample == null ? Path.of("config/tenants.example.yaml") : tenantsExample;
        licencesDir = licencesDir == null ? Path.of("config/licences") : licencesDir;
    }
}
