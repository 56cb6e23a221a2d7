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
    /** Tenant {@code playground}: streams in optimistic mode, so tokens reach the client as they are made. */
    public final String playgroundKey;
    public final String holdbackKey;
    public final String bufferedKey;
    /** Tenant {@code lenient}: fails open when a classifier errs or times out. */
    public final String lenientKey;
    /** Tenant {@code metered}: three requests a minute per key. */
    public final String meteredKey;
    /** Tenant {@code unlicensed}: has accepted no licence. */
    public final String unlicensedKey;
    /** Tenant {@code generous}: key and tenant limits in force, high enough never to refuse (benchmarks). */
    public final String generousKey;

    /** Appended to the example: a tenant whose streams are moderated optimistically. */
    static final String PLAYGROUND = """

              - id: playground
                name: Streaming playground (tests)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                streaming:
                  mode: optimistic
                  window-tokens: 8
                  overlap-tokens: 2
                keys: []
              - id: holdback
                name: Hold-back streams with small windows (tests)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                streaming:
                  mode: hold-back
                  window-tokens: 8
                  overlap-tokens: 2
                audit:
                  store-content: true
                keys: []
              - id: buffered
                name: Buffered streams (tests)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                streaming:
                  mode: buffer
                  window-tokens: 8
                  overlap-tokens: 2
                keys: []
              - id: metered
                name: Tight limits (tests)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                limits:
                  key:
                    requests: [3/1m]
                    tokens: [100000/1m]
                keys: []
              - id: generous
                name: Limits that apply but never refuse (benchmarks)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                limits:
                  key:
                    requests: [100000000/1m, 1000000000/1d]
                    tokens: [1000000000/1m]
                    concurrent: 64
                  tenant:
                    requests: [100000000/1m]
                    concurrent: 128
                keys: []
              - id: unlicensed
                name: Has not accepted the model's licence (tests)
                keys: []
              - id: lenient
                name: Fails open (tests)
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                guard:
                  fail-mode: open
                streaming:
                  mode: hold-back
                  window-tokens: 8
                  overlap-tokens: 2
                keys: []
            """;

    private TestTenants(Path dir, Path file, String localKey, String acmeKey, String playgroundKey,
                        String holdbackKey, String bufferedKey, String lenientKey, String meteredKey,
                        String unlicensedKey, String generousKey) {
        this.dir = dir;
        this.file = file;
        this.localKey = localKey;
        this.acmeKey = acmeKey;
        this.playgroundKey = playgroundKey;
        this.holdbackKey = holdbackKey;
        this.bufferedKey = bufferedKey;
        this.lenientKey = lenientKey;
        this.meteredKey = meteredKey;
        this.unlicensedKey = unlicensedKey;
        this.generousKey = generousKey;
    }

    public static TestTenants create() {
        try {
            Path dir = Files.createTempDirectory("warden-test");
            Path file = dir.resolve("tenants.yaml");
            Files.writeString(file, Files.readString(CONFIG.resolve("tenants.example.yaml")) + PLAYGROUND);
            TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.load(CONFIG.resolve("licences")));
            String local = editor.createKey(file, "local", "test");
            String acme = editor.createKey(file, "acme", "test");
            String playground = editor.createKey(file, "playground", "test");
            return new TestTenants(dir, file, local, acme, playground, editor.createKey(file, "holdback", "test"),
                    editor.createKey(file, "buffered", "test"), editor.createKey(file, "lenient", "test"),
                    editor.createKey(file, "metered", "test"), editor.createKey(file, "unlicensed", "test"),
                    editor.createKey(file, "generous", "test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
