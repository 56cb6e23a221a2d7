package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void theCanonicalFormIsFrozen() {
        // If this changes, stored chains still verify (their bytes are hashed as stored), but bump FORMAT.
        // Records from before content was detached keep it inline (contentDigest null) and their bytes.
        assertThat(CanonicalJson.text(inline(Records.record("acme", 5)))).isEqualTo(GOLDEN);
    }

    /** The record as written before content was detached: content inline, no digest. */
    private static AuditRecord inline(AuditRecord r) {
        String wrapped = CanonicalJson.write(java.util.Map.of(
                "content",
                new java.util.TreeMap<>(java.util.Map.of(
                        "prompt", r.content().prompt(), "response", r.content().response()))));
        String field = wrapped.substring(1, wrapped.length() - 1);
        return (AuditRecord) CanonicalJson.parse(
                CanonicalJson.text(r).replace("\"contentDigest\":\"" + r.contentDigest() + "\"", field));
    }

    @Test
    void detachedContentLeavesOnlyItsDigestInTheHashedBody() {
        AuditRecord r = Records.record("acme", 5);
        String body = CanonicalJson.text(r);
        assertThat(body)
                .contains("\"contentDigest\":\"" + r.content().digest() + "\"")
                .doesNotContain("REDACTED-EMAIL");
        AuditRecord parsed = (AuditRecord) CanonicalJson.parse(body);
        assertThat(parsed.content()).isNull();
        assertThat(parsed.withContent(r.content())).isEqualTo(r);
        assertThat(inline(r).contentDigest()).isNull();
        assertThat(inline(r).content()).isEqualTo(r.content());
    }

    @Test
    void parsingTheCanonicalFormGivesTheRecordBack() {
        for (int i = 0; i < 30; i++) {
            AuditRecord r = Records.record("acme", i);
            AuditRecord parsed = (AuditRecord) CanonicalJson.parse(CanonicalJson.text(r));
            assertThat(parsed.withContent(r.content())).isEqualTo(r);
            assertThat(CanonicalJson.text(CanonicalJson.parse(CanonicalJson.text(r))))
                    .isEqualTo(CanonicalJson.text(r));
        }
        RetentionCheckpoint c = new RetentionCheckpoint(
                "acme",
                Instant.parse("2026-11-02T00:00:00Z"),
                Duration.ofDays(30),
                Instant.parse("2026-10-03T00:00:00Z"),
                41,
                HashChain.GENESIS);
        assertThat(CanonicalJson.parse(CanonicalJson.text(c))).isEqualTo(c);
    }

    @Test
    void aTraceIdIsKeptAndARecordWithoutOneHashesAsBefore() {
        AuditRecord plain = Records.record("acme", 3);
        AuditRecord traced =
                plain.toBuilder().traceId("4bf92f3577b34da6a3ce929d0e0e4736").build();

        assertThat(CanonicalJson.text(traced)).contains("\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\"");
        assertThat(CanonicalJson.parse(CanonicalJson.text(traced))).isEqualTo(traced);
        assertThat(CanonicalJson.text(plain)).doesNotContain("traceId");
    }

    @Test
    void theKeyIsNeverPartOfTheRecordOnlyItsId() {
        assertThat(CanonicalJson.text(Records.record("acme", 1)))
                .contains("\"keyId\":\"key-1\"")
                .doesNotContain("apiKey");
    }

    @Test
    void eachLinkHashesThePredecessorHashAndTheBody() {
        ChainedEntry first =
                ChainedEntry.seal(ChainHead.empty(new ChainId("acme", "replica-a")), Records.record("acme", 1));
        ChainedEntry second = ChainedEntry.seal(first.head(), Records.record("acme", 2));

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.hash()).isEqualTo(Sha256.hex((HashChain.GENESIS + first.body()).getBytes()));
        assertThat(second.prevHash()).isEqualTo(first.hash());
        assertThat(second.hash()).isEqualTo(Sha256.hex((first.hash() + second.body()).getBytes()));
        assertThat(second.instance()).isEqualTo("replica-a");
    }

    @Test
    void theWriterInstanceNamesTheChainButIsNotPartOfTheHashedBody() {
        ChainedEntry onA =
                ChainedEntry.seal(ChainHead.empty(new ChainId("acme", "replica-a")), Records.record("acme", 1));
        ChainedEntry onB =
                ChainedEntry.seal(ChainHead.empty(new ChainId("acme", "replica-b")), Records.record("acme", 1));

        assertThat(onA.chain()).isEqualTo(new ChainId("acme", "replica-a"));
        assertThat(onB.chain()).isEqualTo(new ChainId("acme", "replica-b"));
        assertThat(onA.body()).isEqualTo(onB.body()).doesNotContain("replica");
        assertThat(onA.hash()).isEqualTo(onB.hash());
    }

    static final String GOLDEN =
            "{\"content\":{\"prompt\":\"prompt, \\\"quoted\\\"\\nwith [REDACTED-EMAIL] 5\",\"response\":\"respons"
                    + "e 5\"},\"decision\":\"BLOCK\",\"format\":1,\"httpStatus\":400,\"keyId\":\"key-2\",\"kind\":\"REQUEST"
                    + "\",\"latencies\":{\"guardInput\":\"PT0.048S\",\"guardOutput\":\"PT0.012S\",\"inference\":\"PT0.24S\""
                    + ",\"total\":\"PT0.3S\"},\"model\":\"llama-3.1-70b\",\"outcome\":\"BLOCKED_INPUT\",\"promptSha256\":\""
                    + "94056d935c04d494102020e198c208deb89eeac70bf305fc025ed8cd0b0b127b\",\"purpose\":\"support\",\"request"
                    + "Id\":\"r-acme-5\",\"rule\":\"category.S1.block\",\"streaming\":false,\"tenant\":\"acme\",\"time\":\""
                    + "2026-11-01T10:00:05Z\",\"tokensReleased\":0,\"usage\":{\"completion\":0,\"prompt\":125},\"verdicts\""
                    + ":[{\"categories\":[],\"direction\":\"INPUT\",\"latency\":\"PT0.008S\",\"name\":\"prompt-guard\",\"sc"
                    + "ores\":{\"injection\":0.0,\"jailbreak\":0.01},\"status\":\"OK\",\"version\":\"86m\"},{\"categories\""
                    + ":[\"S1\",\"unsafe\"],\"direction\":\"INPUT\",\"latency\":\"PT0.045S\",\"name\":\"llama-guard\",\"sco"
                    + "res\":{\"S1\":0.91,\"unsafe\":0.97},\"status\":\"OK\",\"version\":\"3-1b\"}]}";
}
