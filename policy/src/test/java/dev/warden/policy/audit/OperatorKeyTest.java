package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorKeyTest {

    @TempDir
    Path dir;

    @Test
    void theKeyIsGeneratedOnceOwnerOnlyAndLoadedAgainWithItsPublicHalfBesideIt() throws Exception {
        Path file = dir.resolve("keys/audit-operator.key");

        OperatorKey first = OperatorKey.loadOrCreate(file);
        OperatorKey again = OperatorKey.loadOrCreate(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(again.publicKeyText()).isEqualTo(first.publicKeyText());
        assertThat(Files.readString(OperatorKey.publicFile(file)).strip()).isEqualTo(first.publicKeyText());
        HeadCheckpoint signed = HeadCheckpoint.sign(
                first,
                "gw",
                Instant.parse("2026-12-01T00:00:00Z"),
                List.of(new ChainHead("acme", "gw", 3, "ab".repeat(32))));
        assertThat(signed.signedBy(OperatorKey.parsePublicKey(Files.readString(OperatorKey.publicFile(file)))))
                .isTrue();
        assertThat(signed.signedBy(OperatorKey.generate().publicKey())).isFalse();
    }

    @Test
    void aStoredCheckpointReadsBackFromItsSignedBodyAndAnyEditBreaksTheSignature() {
        OperatorKey key = OperatorKey.generate();
        HeadCheckpoint signed = HeadCheckpoint.sign(
                key,
                "gw",
                Instant.parse("2026-12-01T00:00:00Z"),
                List.of(
                        new ChainHead("globex", "gw", 9, "cd".repeat(32)),
                        new ChainHead("acme", "gw", 3, "ab".repeat(32))));

        HeadCheckpoint stored = HeadCheckpoint.stored(signed.body(), signed.signature());

        assertThat(stored).isEqualTo(signed);
        assertThat(stored.heads()).extracting(ChainHead::tenant).containsExactly("acme", "globex");
        assertThat(HeadCheckpoint.stored(signed.body().replace("\"seq\":9", "\"seq\":8"), signed.signature())
                        .signedBy(key.publicKey()))
                .isFalse();
    }

    @Test
    void aDamagedKeyFileIsRefusedWithoutQuotingIt() throws Exception {
        Path file = dir.resolve("audit-operator.key");
        Files.writeString(file, "private=bm90IGEga2V5\npublic=bm90IGEga2V5\n");

        assertThatThrownBy(() -> OperatorKey.loadOrCreate(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audit-operator.key is not a valid Ed25519 key file")
                .hasMessageNotContaining("bm90IGEga2V5")
                .hasMessageNotContaining(dir.toString());
    }
}
