package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.testing.ScriptedGate;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * With no classifier on the output direction, hold-back has nothing to hold: text passes chunk by chunk. The
 * {@code patient} tenant's hold-back windows close by tokens only (6 before the first check), so a stream that
 * stops after one chunk would show nothing if it were held back.
 */
// A second application context: its audit log gets its own store, or two writers would fork one chain.
@TestPropertySource(
        properties = {
            "warden.guard.rules.enabled=false",
            "warden.guard.embedded.enabled=false",
            "warden.guard.code-security.enabled=false",
            "warden.audit.store=target/unjudged-stream-test/audit.db",
            "warden.audit.spill-file=target/unjudged-stream-test/audit-spill.jsonl"
        })
class UnjudgedStreamTest extends GatewayTest {

    @Test
    void withNoOutputClassifierEachChunkPassesAsItComes() throws Exception {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(StreamStartTest.slowPieces(1, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (StreamStartTest.OpenStream stream =
                StreamStartTest.OpenStream.post(baseUrl(), TENANTS.patientKey, StreamStartTest.STREAM)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response
                            .headers()
                            .firstValue("x-warden-guard-output")
                            .orElse(""))
                    .isEmpty();
            assertThat(stream.nextContent()).isEqualTo("w0 ");
            // the upstream has sent one chunk and waits behind the gate
            assertThat(UPSTREAM.completedResponses()).isEqualTo(completedBefore);

            gate.release();
            StreamModerationTest.Sse rest = StreamModerationTest.Sse.parse(stream.rest());
            assertThat("w0 " + rest.text()).isEqualTo(StreamStartTest.allPieces());
            assertThat(rest.done()).isTrue();
        } finally {
            gate.release();
        }
    }
}
