package dev.warden.gateway;

import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantFileEditor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
    /** Tenant {@code patient}: hold-back whose windows close by tokens only (no time bounds). */
    public final String patientKey;
    /** Tenant {@code lenient}: fails open when a classifier errs or times out. */
    public final String lenientKey;
    /** Tenant {@code metered}: three requests a minute per key. */
    public final String meteredKey;
    /** Tenant {@code unlicensed}: has accepted no licence. */
    public final String unlicensedKey;
    /** Tenant {@code generous}: key and tenant limits in force, high enough never to refuse (benchmarks). */
    public final String generousKey;
    /** Tenants {@code moderated} and {@code shielded}: three requests a minute per tenant (moderation limits). */
    public final String moderatedKey;

    public final String shieldedKey;
    /**
     * Tenant {@code distiller}: declares training on outputs for the derivative model {@code Llama-Distilled-8B};
     * two requests per 10 s and 20000 tokens a minute per key (batch lines wait for the limits).
     */
    public final String distillerKey;

    /**
     * What every gateway started by hand from these tenants is given (process tests, benchmarks): a free port, a
     * quiet log, these tenants and the shipped licences, a data directory of its own ({@code data-<name>}) and the
     * guard's three stages on or off. The caller adds its models and whatever else the run is about.
     */
    public List<String> gatewayArguments(String name, boolean guards) {
        return new ArrayList<>(List.of(
                "--server.port=0",
                "--logging.level.root=WARN",
                "--warden.tenants-file=" + file,
                "--warden.licences-dir=" + CONFIG.resolve("licences"),
                "--warden.data-dir=" + dir.resolve("data-" + name),
                "--warden.guard.rules.enabled=" + guards,
                "--warden.guard.embedded.enabled=" + guards,
                "--warden.guard.code-security.enabled=" + guards));
    }

    /** Appended to the example: the tenants the tests need beside it (streaming modes, fail-open, limits). */
    static final String EXTRA_TENANTS = String.join(
            "",
            tenant(
                    "playground",
                    "Streaming playground (tests)",
                    "streaming:\n" + "  mode: optimistic\n" + "  window-tokens: 8\n" + "  overlap-tokens: 2"),
            tenant(
                    "holdback",
                    "Hold-back streams with small windows (tests)",
                    "streaming:\n"
                            + "  mode: hold-back\n"
                            + "  window-tokens: 8\n"
                            + "  overlap-tokens: 2\n"
                            + "audit:\n"
                            + "  store-content: true"),
            tenant(
                    "patient",
                    "Hold-back windows closed by tokens only (tests)",
                    "streaming:\n"
                            + "  mode: hold-back\n"
                            + "  window-tokens: 8\n"
                            + "  overlap-tokens: 2\n"
                            + "  first-window-tokens: 6\n"
                            + "  first-window-ms: 0\n"
                            + "  window-ms: 0"),
            tenant(
                    "buffered",
                    "Buffered streams (tests)",
                    "streaming:\n" + "  mode: buffer\n" + "  window-tokens: 8\n" + "  overlap-tokens: 2"),
            tenant(
                    "metered",
                    "Tight limits (tests)",
                    "limits:\n"
                            + "  key:\n"
                            + "    requests: [3/1m]\n"
                            + "    tokens: [100000/1m]\n"
                            + "  files-and-batches:\n"
                            + "    requests: [3/1m]"),
            tenant(
                    "generous",
                    "Limits that apply but never refuse (benchmarks)",
                    "limits:\n"
                            + "  key:\n"
                            + "    requests: [100000000/1m, 1000000000/1d]\n"
                            + "    tokens: [1000000000/1m]\n"
                            + "    concurrent: 64\n"
                            + "  tenant:\n"
                            + "    requests: [100000000/1m]\n"
                            + "    concurrent: 128"),
            tenant(
                    "moderated",
                    "Three requests a minute per tenant (moderation tests)",
                    "limits:\n" + "  tenant:\n" + "    requests: [3/1m]"),
            tenant(
                    "shielded",
                    "Three requests a minute per tenant (run-shield tests)",
                    "limits:\n" + "  tenant:\n" + "    requests: [3/1m]"),
            tenant(
                    "distiller",
                    "Distils a model from batch outputs (tests)",
                    "purposes:\n"
                            + "  - chat\n"
                            + "  - name: training\n"
                            + "    derivative-model: Llama-Distilled-8B\n"
                            + "limits:\n"
                            + "  key:\n"
                            + "    requests: [2/10s]\n"
                            + "    tokens: [20000/1m]"),
            unlicensedTenant("unlicensed", "Has not accepted the model's licence (tests)", ""),
            tenant(
                    "lenient",
                    "Fails open (tests)",
                    "guard:\n"
                            + "  fail-mode: open\n"
                            + "streaming:\n"
                            + "  mode: hold-back\n"
                            + "  window-tokens: 8\n"
                            + "  overlap-tokens: 2"),
            tenant(
                    "held",
                    "Under legal hold, so retention keeps everything (retention tests)",
                    "audit:\n" + "  legal-hold: true"));

    /**
     * One tenant entry for the tenants file, with the Llama 3.1 licence accepted; {@code extra} is YAML at the level
     * of the entry's own fields (streaming, limits, guard, audit...), lines separated by newlines.
     */
    public static String tenant(String id, String name, String extra) {
        return unlicensedTenant(id, name, """
                licences:
                  - id: llama-3.1
                    version: "2024-07-23"
                    accepted-by: tests@localhost
                    accepted-at: 2026-01-01T00:00:00Z
                """ + extra);
    }

    /** One tenant entry that has accepted no licence. */
    public static String unlicensedTenant(String id, String name, String extra) {
        StringBuilder yaml = new StringBuilder("\n  - id: ")
                .append(id)
                .append("\n    name: ")
                .append(name)
                .append('\n');
        for (String line : extra.split("\n")) {
            if (!line.isBlank()) {
                yaml.append("    ").append(line).append('\n');
            }
        }
        return yaml.append("    keys: []\n").toString();
    }

    private TestTenants(
            Path dir,
            Path file,
            String localKey,
            String acmeKey,
            String playgroundKey,
            String holdbackKey,
            String bufferedKey,
            String lenientKey,
            String meteredKey,
            String unlicensedKey,
            String generousKey,
            String patientKey,
            String moderatedKey,
            String shieldedKey,
            String distillerKey) {
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
        this.patientKey = patientKey;
        this.moderatedKey = moderatedKey;
        this.distillerKey = distillerKey;
        this.shieldedKey = shieldedKey;
    }

    public static TestTenants create() {
        try {
            Path dir = Files.createTempDirectory("warden-test");
            Path file = dir.resolve("tenants.yaml");
            Files.writeString(file, Files.readString(CONFIG.resolve("tenants.example.yaml")) + EXTRA_TENANTS);
            TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.load(CONFIG.resolve("licences")));
            String local = editor.createKey(file, "local", "test");
            String acme = editor.createKey(file, "acme", "test");
            String playground = editor.createKey(file, "playground", "test");
            return new TestTenants(
                    dir,
                    file,
                    local,
                    acme,
                    playground,
                    editor.createKey(file, "holdback", "test"),
                    editor.createKey(file, "buffered", "test"),
                    editor.createKey(file, "lenient", "test"),
                    editor.createKey(file, "metered", "test"),
                    editor.createKey(file, "unlicensed", "test"),
                    editor.createKey(file, "generous", "test"),
                    editor.createKey(file, "patient", "test"),
                    editor.createKey(file, "moderated", "test"),
                    editor.createKey(file, "shielded", "test"),
                    editor.createKey(file, "distiller", "test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
