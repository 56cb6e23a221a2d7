package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintKeyTest {

    @TempDir
    Path dir;

    @Test
    void fingerprintsAreKeyedSoAGuessedPromptCannotBeConfirmedWithPlainSha256() throws Exception {
        Path file = dir.resolve("audit-fingerprint.key");
        FingerprintKey key = FingerprintKey.loadOrCreate(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(key.of("how do I pick a lock"))
                .matches("[0-9a-f]{64}")
                .isNotEqualTo(Sha256.ofText("how do I pick a lock"))
                .isEqualTo(FingerprintKey.loadOrCreate(file).of("how do I pick a lock"))
                .isNotEqualTo(
                        FingerprintKey.loadOrCreate(dir.resolve("other.key")).of("how do I pick a lock"));
        FingerprintKey known = FingerprintKey.ofBase64(java.util.Base64.getEncoder()
                .encodeToString("0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("0123456789abcdef".getBytes(), "HmacSHA256"));
        assertThat(known.of("text")).isEqualTo(java.util.HexFormat.of().formatHex(mac.doFinal("text".getBytes())));
    }

    @Test
    void aReusedMacGivesEachTextItsOwnFingerprintOnEveryThread() throws Exception {
        FingerprintKey key = FingerprintKey.loadOrCreate(dir.resolve("k"));
        String first = key.of("first prompt");
        String second = key.of("second prompt");
        // nothing of one text carries over into the next one's MAC
        assertThat(key.of("first prompt")).isEqualTo(first).isNotEqualTo(second);
        assertThat(key.of(""))
                .isEqualTo(FingerprintKey.loadOrCreate(dir.resolve("k")).of(""));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String text = i % 2 == 0 ? "first prompt" : "second prompt";
                results.add(pool.submit(() -> key.of(text)));
            }
            for (int i = 0; i < 64; i++) {
                assertThat(results.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .isEqualTo(i % 2 == 0 ? first : second);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void recordsSayWhichFunctionMadeTheirFingerprintsAndOldRecordsKeepTheirBytes() {
        FingerprintKey key = FingerprintKey.loadOrCreate(dir.resolve("k"));
        AuditRecord keyed = AuditRecord.builder("r1", "acme")
                .time(Records.T0)
                .fingerprint(key, "p", "r")
                .build();
        AuditRecord plain = AuditRecord.builder("r2", "acme")
                .time(Records.T0)
                .fingerprint("p", "r")
                .build();

        assertThat(keyed.fingerprint()).isEqualTo(FingerprintKey.ALGORITHM);
        assertThat(CanonicalJson.parse(CanonicalJson.text(keyed))).isEqualTo(keyed);
        assertThat(CanonicalJson.text(keyed)).contains("\"fingerprint\":\"hmac-sha256\"");
        // a record from before keyed fingerprints: no field, so its stored bytes (and chain hash) are unchanged
        assertThat(plain.fingerprint()).isNull();
        assertThat(CanonicalJson.text(plain)).doesNotContain("fingerprint");
        assertThat(plain.promptSha256()).isEqualTo(Sha256.ofText("p"));
    }
}
