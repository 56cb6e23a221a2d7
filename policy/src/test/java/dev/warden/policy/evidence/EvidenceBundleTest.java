package dev.warden.policy.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.audit.PolicyVersion;
import dev.warden.policy.audit.Records;
import dev.warden.policy.audit.TestAuditStore;
import dev.warden.policy.audit.VerifyAuditCommandAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence bundles from a real SQLite store: written, verified offline by the command an auditor runs, and then
 * tampered with byte by byte.
 */
@Tag("slow")
class EvidenceBundleTest {

    @TempDir
    Path dir;

    private AuditStore store;
    private AuditLog log;
    private OperatorKey key;
    private Path publicKey;
    private PolicyVersion v1;
    private PolicyVersion v2;
    private final List<AuditRecord> acme = new ArrayList<>();

    @BeforeEach
    void recordsUnderTwoPolicyVersions() throws Exception {
        store = TestAuditStore.open(dir);
        key = OperatorKey.generate();
        publicKey = Files.writeString(dir.resolve("operator.pub"), key.publicKeyText() + "\n");
        log = new AuditLog(store, TestAuditStore.logConfig(dir), new AuditLog.Checkpoints(key, Duration.ofHours(1)));
        PolicyHistory history = new PolicyHistory(log, Clock.systemUTC());
        v1 = PolicyVersion.of(
                Map.of(
                        "tenants.yaml",
                        "tenants:\n  - id: acme\n    audit:\n      store-content: true\n",
                        "licences/llama.yaml",
                        "id: llama\n"),
                Records.T0);
        history.observe(v1, AdminAction.GATEWAY).orElseThrow().get(10, TimeUnit.SECONDS);
        for (int i = 1; i <= 6; i++) {
            append(Records.record("acme", i).toBuilder()
                    .policyVersion(v1.digest())
                    .build());
            append(Records.record("other", i).toBuilder()
                    .policyVersion(v1.digest())
                    .build());
        }
        v2 = PolicyVersion.of(
                Map.of(
                        "tenants.yaml",
                        "tenants:\n  - id: acme\n    audit:\n      store-content: false\n",
                        "licences/llama.yaml",
                        "id: llama\n"),
                Records.T0.plusSeconds(100));
        history.observe(v2, "admin:1234abcd").orElseThrow().get(10, TimeUnit.SECONDS);
        for (int i = 7; i <= 10; i++) {
            append(Records.record("acme", i).toBuilder()
                    .policyVersion(v2.digest())
                    .build());
        }
        assertThat(log.checkpoint().get(10, TimeUnit.SECONDS))
                .as("a signed checkpoint")
                .isPresent();
    }

    private void append(AuditRecord r) throws Exception {
        log.append(r).get(10, TimeUnit.SECONDS);
        if (r.tenant().equals("acme")) {
            acme.add(r);
        }
    }

    @AfterEach
    void close() {
        log.close();
        store.close();
    }

    private byte[] bundle(EvidenceBundle.Filter filter) {
        StringWriter out = new StringWriter();
        new EvidenceBundle(store, key, Clock.systemUTC()).write(filter, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the command an auditor runs; returns its exit status and what it printed. */
    private record Run(int status, String out) {}

    private Run verify(byte[] bundle) throws Exception {
        Path file = Files.write(dir.resolve("bundle-" + System.nanoTime() + ".jsonl"), bundle);
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int status =
                    VerifyAuditCommandAccess.run("--bundle", file.toString(), "--public-key", publicKey.toString());
            return new Run(status, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(before);
        }
    }

    @Test
    void aTenantsBundleVerifiesOfflineAndNamesThePolicyVersionsItsRecordsWereDecidedUnder() throws Exception {
        byte[] bundle = bundle(new EvidenceBundle.Filter("acme", null, null));
        String text = new String(bundle, StandardCharsets.UTF_8);

        Run run = verify(bundle);

        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("OK", "10 entries in 1 chain(s)", "1 checkpoint(s)", "2 policy version(s)");
        assertThat(text)
                .contains(v1.digest(), v2.digest(), "\"tenant\":\"acme\"")
                .doesNotContain("\"tenant\":\"other\"");
        // Record 1 (i % 4 == 1) was stored with content; the manifest says content is included.
        assertThat(text).contains("\"included\":true");
    }

    @Test
    void changingOneByteOfARecordFailsVerificationNamingThatRecord() throws Exception {
        byte[] bundle = bundle(new EvidenceBundle.Filter("acme", null, null));
        AuditRecord target = acme.get(4);
        String text = new String(bundle, StandardCharsets.UTF_8);
        int id = text.indexOf("\"requestId\":\"" + target.requestId() + "\"");
        int line = text.lastIndexOf('\n', id) + 1;
        // Keys are sorted, so the model comes before the request id on the record's line.
        int model = text.indexOf("llama-3.1-", line);
        assertThat(id).isPositive();
        assertThat(model).isBetween(line, id);
        byte[] tampered = bundle.clone();
        tampered[model + "llama-3.1-".length()] = (byte) '9'; // llama-3.1-8b -> llama-3.1-9b, or 70b -> 90b

        Run run = verify(tampered);

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out())
                .contains(
                        "BROKEN",
                        "request=" + target.requestId(),
                        "seq=",
                        "hash does not match SHA-256(prevHash + body): the entry was altered");
    }

    @Test
    void aRemovedRecordOrAnAlteredManifestOrAnotherKeyFails() throws Exception {
        byte[] bundle = bundle(new EvidenceBundle.Filter("acme", null, null));
        String text = new String(bundle, StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        StringBuilder withoutThird = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i != 2) {
                withoutThird.append(lines[i]).append('\n');
            }
        }
        Run removed = verify(withoutThird.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(removed.status()).isEqualTo(1);
        assertThat(removed.out()).contains("request=" + acme.get(3).requestId(), "expected seq");

        Run manifest = verify(text.replace("\"entries\":10", "\"entries\":11").getBytes(StandardCharsets.UTF_8));
        assertThat(manifest.status()).isEqualTo(1);
        assertThat(manifest.out()).contains("manifest's signature does not hold");

        Files.writeString(publicKey, OperatorKey.generate().publicKeyText());
        Run otherKey = verify(bundle);
        assertThat(otherKey.status()).isEqualTo(1);
        assertThat(otherKey.out()).contains("signature does not hold", "not signed by the operator key");
    }

    @Test
    void aPolicyChangeIsAnAdminActionWithBothDigestsAndADiffAndTravelsInTheFullBundle() throws Exception {
        List<ChainedEntry> changes = store.query(AuditQuery.builder()
                        .kind(AuditEntry.Kind.ADMIN)
                        .decision(PolicyHistory.ACTION)
                        .build())
                .entries();
        assertThat(changes).hasSize(2);
        AdminAction latest = (AdminAction) changes.get(0).entry();
        assertThat(latest.actor()).isEqualTo("admin:1234abcd");
        assertThat(latest.details()).containsEntry("before", v1.digest()).containsEntry("after", v2.digest());
        assertThat((String) latest.details().get("diff"))
                .contains(
                        "--- a/tenants.yaml",
                        "+++ b/tenants.yaml",
                        "-      store-content: true",
                        "+      store-content: false")
                .doesNotContain("llama.yaml");
        // The same version again is no change.
        assertThat(new PolicyHistory(log, Clock.systemUTC()).observe(v2, AdminAction.GATEWAY))
                .isEmpty();

        byte[] all = bundle(new EvidenceBundle.Filter(null, null, null));
        Run run = verify(all);
        // acme's 10, other's 6 and the two policy changes in the admin chain.
        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("18 entries in 3 chain(s)");
    }

    @Test
    void aTimeWindowExportsEveryChainEntryBetweenItsFirstAndLastMatchWithoutGaps() throws Exception {
        Instant from = Records.T0.plusSeconds(3);
        Instant to = Records.T0.plusSeconds(6);
        byte[] bundle = bundle(new EvidenceBundle.Filter("acme", from, to));
        String text = new String(bundle, StandardCharsets.UTF_8);

        Run run = verify(bundle);

        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("3 entries in 1 chain(s)");
        assertThat(text).contains("r-acme-3", "r-acme-5").doesNotContain("r-acme-2\"", "r-acme-6\"");
    }
}
