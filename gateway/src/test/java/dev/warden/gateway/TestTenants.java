package dev.warden.gateway;

import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantFileEditor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tenants file for tests, made from the shipped example (so the example stays valid) with fresh keys for the
 * tenants {@code local} and {@code acme}.
 */
public final class TestTenants {

    public static final Path CONFIG = Path.of("..", "config");

    public final Path dir;
    public final Path file;
    public final String localKey;
    public final String acmeKey;

    private TestTenants(Path dir, Path file, String localKey, String acmeKey) {
        this.dir = dir;
        this.file = file;
        this.localKey = localKey;
        this.acmeKey = acmeKey;
    }

    public static TestTenants create() {
        try {
            Path dir = Files.createTempDirectory("warden-test");
            Path file = dir.resolve("tenants.yaml");
            Files.copy(CONFIG.resolve("tenants.example.yaml"), file);
            TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.load(CONFIG.resolve("licences")));
            String local = editor.createKey(file, "local", "test");
            String acme = editor.createKey(file, "acme", "test");
            return new TestTenants(dir, file, local, acme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
