package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link Sha256} reuses one digest per thread: each call must still hash only its own parts. */
class Sha256Test {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hashesTheStandardTestVectors() {
        assertThat(Sha256.ofText("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.ofText("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void callsInARowOnOneThreadDoNotCarryStateOver() {
        String first = Sha256.ofText("first text");
        String abc = Sha256.ofText("abc");

        assertThat(abc).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.ofText("first text")).isEqualTo(first);
    }

    @Test
    void partsHashAsTheirConcatenation() {
        assertThat(Sha256.hex(utf8("ab"), utf8("c"))).isEqualTo(Sha256.ofText("abc"));
        assertThat(HexFormat.of().formatHex(Sha256.digest(utf8("a"), utf8("bc"))))
                .isEqualTo(Sha256.ofText("abc"));
    }

    @Test
    void aCallThatFailsHalfWayLeavesNothingBehindForTheNext() {
        // the first part is fed to the thread's digest before the null one fails
        assertThatThrownBy(() -> Sha256.hex(utf8("left behind"), null)).isInstanceOf(NullPointerException.class);

        assertThat(Sha256.ofText("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
