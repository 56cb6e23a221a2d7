package dev.warden.policy.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.Direction;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.FailMode;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.ratelimit.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantDirectoryTest {

    static final Path EXAMPLE = Path.of("../config/tenants.example.yaml");
    static final LicenceCatalog LICENCES = LicenceCatalog.load(Path.of("../config/licences"));

    @TempDir
    Path dir;

    @Test
    void theExampleFileLoadsWithEveryFieldResolved() {
        TenantDirectory directory = TenantDirectory.load(EXAMPLE, LICENCES);
        assertThat(directory.tenants()).extracting(Tenant::id).containsExactly("local", "acme");
        TenantPolicy acme = directory.tenant("acme").orElseThrow().policy();
        assertThat(acme.models()).containsExactly("llama-3.1-8b-instruct");
        assertThat(acme.purpose("training").orElseThrow().derivativeModel()).isEqualTo("Llama-Acme-Support-8B");
        assertThat(acme.guard().failMode()).isEqualTo(FailMode.CLOSED);
        // tenant rule beats the licence default
        assertThat(acme.guard().rule(Direction.OUTPUT, "S9").orElseThrow().threshold())
                .isEqualTo(0.3);
        // "both" applies to each direction; licence default (S6: flag) overridden
        assertThat(acme.guard().rule(Direction.INPUT, "S6").orElseThrow().action())
                .isEqualTo(Action.ALLOW);
        // licence default survives where the tenant says nothing
        assertThat(acme.guard().rule(Direction.INPUT, "S5").orElseThrow().source())
                .isEqualTo("llama-3.1 AUP default");
        assertThat(acme.guard().rule(Direction.INPUT, "pii.card").orElseThrow().action())
                .isEqualTo(Action.REDACT);
        assertThat(acme.limits().key().requests()).containsExactly(Window.parse("60/1m"), Window.parse("10000/1d"));
        assertThat(acme.limits().model("llama-3.1-8b-instruct").tokens()).containsExactly(Window.parse("500000/1m"));
        assertThat(acme.streaming().windowTokens()).isEqualTo(64);
        assertThat(acme.audit().retentionDays()).isEqualTo(180);
        assertThat(acme.audit().contentRetentionDays()).isEqualTo(30);
        assertThat(acme.audit().legalHold()).isFalse();
        assertThat(acme.acceptance("llama-3.1", "2024-07-23").orElseThrow().acceptedBy())
                .isEqualTo("jane.doe@acme.example");
        assertThat(directory.tenant("acme").orElseThrow().keys().get(0).limits().requests())
                .containsExactly(Window.parse("10/1m"));
        assertThat(directory.policyVersion()).startsWith("p-");
    }

    @Test
    void streamingWindowsRampUpByDefaultAndEachSettingCanBeChanged() throws Exception {
        TenantPolicy acme = TenantDirectory.load(EXAMPLE, LICENCES)
                .tenant("acme")
                .orElseThrow()
                .policy();
        assertThat(acme.streaming()).isEqualTo(StreamingPolicy.DEFAULT);
        assertThat(StreamingPolicy.DEFAULT)
                .isEqualTo(new StreamingPolicy(StreamingPolicy.Mode.HOLD_BACK, 64, 16, 4, 20, 500));

        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    streaming:
                      mode: hold-back
                      window-tokens: 32
                      first-window-tokens: 2
                      first-window-ms: 0
                      window-ms: 250
                """);
        StreamingPolicy s = TenantDirectory.load(tenants, LICENCES)
                .tenant("acme")
                .orElseThrow()
                .policy()
                .streaming();
        assertThat(s).isEqualTo(new StreamingPolicy(StreamingPolicy.Mode.HOLD_BACK, 32, 16, 2, 0, 250));

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    streaming:
                      window-tokens: 16
                      first-window-tokens: 17
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining("tenants[0].streaming.first-window-tokens: must not exceed window-tokens (16)");
        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    streaming:
                      window-ms: -1
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining("tenants[0].streaming.window-ms");
    }

    @Test
    void bootstrapCreatesTheFileWithAKeyForLocalThatAuthenticates() throws Exception {
        Path tenants = dir.resolve("config/tenants.yaml");
        Path keyFile = dir.resolve("data/first-api-key.txt");
        Path written = TenantFileBootstrap.createIfMissing(tenants, EXAMPLE, keyFile, LICENCES)
                .orElseThrow();

        assertThat(written).isEqualTo(keyFile);
        assertThat(Files.getPosixFilePermissions(keyFile))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String key = Files.readString(keyFile).trim();
        assertThat(Files.readString(tenants))
                .doesNotContain(key)
                .contains(ApiKeys.hash(key))
                .contains("# Warden tenants"); // comments survive the edit

        TenantDirectory directory = TenantDirectory.load(tenants, LICENCES);
        Principal principal = directory.authenticate(key).orElseThrow();
        assertThat(principal.tenantId()).isEqualTo("local");
        assertThat(principal.keyId()).isEqualTo(ApiKeys.keyId(ApiKeys.hash(key)));
        assertThat(directory.authenticate(ApiKeys.generate())).isEmpty();
        assertThat(directory.authenticate("Bearer " + key)).isEmpty();

        // second start: the file exists, nothing is created
        assertThat(TenantFileBootstrap.createIfMissing(tenants, EXAMPLE, keyFile, LICENCES))
                .isEmpty();
    }

    @Test
    void createKeyAddsToATenantWithKeysAndToOneWithout() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: a
                    keys:
                      - id: "00000000"
                        sha256: %s
                  - id: b
                    name: B
                  - id: c
                    keys:
                """.formatted("0".repeat(64)));
        TenantFileEditor editor = new TenantFileEditor(LicenceCatalog.empty());
        String ka = editor.createKey(tenants, "a", "second");
        String kb = editor.createKey(tenants, "b", "first \"quoted\"");
        String kc = editor.createKey(tenants, "c", null);
        String kb2 = editor.createKey(tenants, "b", "again");

        TenantDirectory directory = TenantDirectory.load(tenants, LicenceCatalog.empty());
        assertThat(directory.authenticate(ka).orElseThrow().tenantId()).isEqualTo("a");
        assertThat(directory.authenticate(kb).orElseThrow().tenantId()).isEqualTo("b");
        assertThat(directory.authenticate(kb).orElseThrow().key().label()).isEqualTo("first \"quoted\"");
        assertThat(directory.authenticate(kc).orElseThrow().tenantId()).isEqualTo("c");
        assertThat(directory.authenticate(kb2).orElseThrow().tenantId()).isEqualTo("b");
        assertThat(directory.tenant("a").orElseThrow().keys()).hasSize(2);
        assertThat(directory.tenant("b").orElseThrow().name()).isEqualTo("B");
    }

    @Test
    void createKeyCommandPrintsTheKeyOnceOnStandardOutput() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.copy(EXAMPLE, tenants);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CreateKeyCommand.run(
                new String[] {
                    "create-key",
                    "--tenant",
                    "acme",
                    "--file",
                    tenants.toString(),
                    "--label",
                    "ci",
                    "--licences",
                    "../config/licences"
                },
                new PrintStream(out),
                new PrintStream(err));

        assertThat(status).isZero();
        String key = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(key).matches("wdn-[0-9A-Za-z]{40}");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain(key).contains(ApiKeys.keyId(ApiKeys.hash(key)));
        assertThat(TenantDirectory.load(tenants, LICENCES)
                        .authenticate(key)
                        .orElseThrow()
                        .key()
                        .label())
                .isEqualTo("ci");

        int unknown = CreateKeyCommand.run(
                new String[] {"--tenant", "nobody", "--file", tenants.toString()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(unknown).isEqualTo(1);
    }

    @Test
    void keyIdsThatYamlWouldReadAsNumbersAreWrittenQuotedAndReadBackExactly() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        String text = "tenants:\n  - id: a\n";
        // 8 hex digits of a SHA-256 can look like a float (5e660614) or an integer with leading zeros
        for (String keyId : List.of("5e660614", "00001234", "1e9", "true")) {
            ApiKey key = new ApiKey(keyId, "", ApiKeys.hash(ApiKeys.generate()), null, null);
            text = TenantFileEditor.withKey(tenants, text, "a", key);
        }
        Files.writeString(tenants, text);

        TenantDirectory directory = TenantDirectory.load(tenants, LicenceCatalog.empty());

        assertThat(directory.tenant("a").orElseThrow().keys())
                .extracting(ApiKey::id)
                .containsExactlyInAnyOrder("5e660614", "00001234", "1e9", "true");
    }

    @Test
    void anUnquotedKeyIdThatYamlReadsAsANumberIsRejectedRatherThanChanged() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: a
                    keys:
                      - id: 5e660614
                        sha256: "%s"
                """.formatted("0".repeat(64)));
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LicenceCatalog.empty()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(tenants + ":4: tenants[0].keys[0].id: is read by YAML as the number")
                .hasMessageContaining("put the value in quotes");
    }

    @Test
    void retentionBelowSixMonthsOrContentOutlivingItsRecordIsRefusedAndLegalHoldIsRead() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    audit:
                      retention-days: 90
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(
                        ":4: tenants[0].audit.retention-days: audit records must be kept at least 180 days");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    audit:
                      metadata-retention-days: 200
                      content-retention-days: 365
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":5: tenants[0].audit.content-retention-days: content cannot outlive its record");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    audit:
                      metadata-retention-days: 400
                      content-retention-days: 14
                      legal-hold: true
                """);
        AuditSettings audit = TenantDirectory.load(tenants, LICENCES)
                .tenant("acme")
                .orElseThrow()
                .policy()
                .audit();
        assertThat(audit).isEqualTo(new AuditSettings(false, 400, 14, true, true));
    }

    @Test
    void invalidFilesAreRejectedWithFileLineAndField() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    guard:
                      output:
                        S9: block
                        S15: block
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(tenants + ":6: tenants[0].guard.output.S15: unknown label 'S15'");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    limits:
                      key:
                        requests: [60/1x]
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":5: tenants[0].limits.key.requests[0]: unknown duration unit 'x'");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    guard:
                      input:
                        S1: redact
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining("tenants[0].guard.input.S1: redact needs a span");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    licenses: []
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":3: tenants[0].licenses: unknown field 'licenses'");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    models: [llama-3.1-8b-instruct]
                    limits:
                      models:
                        llama-3.1-8b-instruct: {requests: 10/1m}
                        llama-3.1-8b-instuct: {requests: 10/1m}
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":7: tenants[0].limits.models.llama-3.1-8b-instuct: limits for model");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    limits:
                      files-and-batches:
                        requests: [10/1m]
                        tokens: [1000/1m]
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(
                        ":6: tenants[0].limits.files-and-batches.tokens: unknown field 'tokens' (known: concurrent, requests)");

        Files.writeString(tenants, "tenants:\n  - id: acme\n    keys: [ {sha256: abc\n");
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES)).hasMessageContaining("not valid YAML");

        Files.writeString(tenants, """
                tenants:
                  - id: acme
                    keys:
                      - sha256: wdn-thisIsAClearKeyNotAHash000000000000000
                """);
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":4: tenants[0].keys[0].sha256: expected 64 hex digits");
    }

    @Test
    void reloadAppliesAGoodFileAndKeepsTheLastGoodOneWhenTheNewOneIsBroken() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.copy(EXAMPLE, tenants);
        String key = new TenantFileEditor(LICENCES).createKey(tenants, "acme", "reload");
        TenantDirectory directory = TenantDirectory.load(tenants, LICENCES);
        String v1 = directory.policyVersion();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        directory.addListener(new TenantDirectory.Listener() {
            @Override
            public void reloaded(TenantDirectory d, String version) {
                events.add("reloaded " + version);
            }

            @Override
            public void rejected(TenantDirectory d, InvalidConfigException problem) {
                events.add("rejected " + problem.getMessage());
            }
        });
        assertThat(directory.reload()).isFalse(); // unchanged

        String good = Files.readString(tenants).replace("monthly-active-users: 120000", "monthly-active-users: 5");
        TenantFileEditor.writeAtomically(tenants, good);
        assertThat(directory.reload()).isTrue();
        String v2 = directory.policyVersion();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(directory.tenant("acme").orElseThrow().policy().monthlyActiveUsers())
                .isEqualTo(5);
        assertThat(events.poll()).isEqualTo("reloaded " + v2);

        TenantFileEditor.writeAtomically(tenants, good.replace("fail-mode: closed", "fail-mode: sometimes"));
        assertThat(directory.reload()).isFalse();
        assertThat(events.poll())
                .startsWith("rejected " + tenants)
                .contains("tenants[1].guard.fail-mode")
                .contains("expected one of closed, open");
        assertThat(directory.policyVersion()).isEqualTo(v2);
        assertThat(directory.lastProblem()).isPresent();
        assertThat(directory.authenticate(key).orElseThrow().policy().guard().failMode())
                .isEqualTo(FailMode.CLOSED);
        assertThat(directory.reload()).isFalse(); // the same broken content is reported once
        assertThat(events).isEmpty();

        Files.delete(tenants);
        assertThat(directory.reload()).isFalse();
        assertThat(directory.authenticate(key)).isPresent();
    }

    @Test
    void aWatchedDirectoryPicksUpANewKeyWithoutARestart() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.copy(EXAMPLE, tenants);
        BlockingQueue<String> versions = new LinkedBlockingQueue<>();
        try (TenantDirectory directory = TenantDirectory.load(tenants, LICENCES).watch(Duration.ofMillis(20))) {
            directory.addListener(new TenantDirectory.Listener() {
                @Override
                public void reloaded(TenantDirectory d, String version) {
                    versions.add(version);
                }
            });
            String key = new TenantFileEditor(LICENCES).createKey(tenants, "local", "watched");
            assertThat(versions.poll(30, TimeUnit.SECONDS)).isNotNull();
            assertThat(directory.authenticate(key).orElseThrow().tenantId()).isEqualTo("local");
        }
    }

    @Test
    void keysAreUniqueAcrossTenants() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        String hash = ApiKeys.hash(ApiKeys.generate());
        Files.writeString(tenants, """
                tenants:
                  - id: a
                    keys: [{sha256: %1$s}]
                  - id: b
                    keys:
                      - sha256: %1$s
                """.formatted(hash));
        assertThatThrownBy(() -> TenantDirectory.load(tenants, LICENCES))
                .hasMessageContaining(":6: tenants[1].keys[0].sha256: this key hash is already listed");
    }
}
