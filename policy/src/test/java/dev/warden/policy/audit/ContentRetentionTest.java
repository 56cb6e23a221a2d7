package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detached content in a real SQLite store: kept beside the hashed body, erased after the content period while the
 * record and its chain stay verifiable, and altered content is named by the verifier.
 */
class ContentRetentionTest {

    @TempDir
    Path dir;

    private AuditStore store;
    private AuditLog log;

    @BeforeEach
    void open() {
        store = TestAuditStore.open(dir);
        log = new AuditLog(store, TestAuditStore.logConfig(dir));
    }

    @AfterEach
    void close() {
        log.close();
        store.close();
    }

    private AuditRecord only(String requestId) {
        return (AuditRecord)
                store.query(AuditQuery.builder().requestId(requestId).build())
                        .entries()
                        .get(0)
                        .entry();
    }

    @Test
    void contentIsKeptBesideTheBodyAndErasedAfterItsPeriodWithTheChainStillIntact() throws Exception {
        // Records.record: i % 4 == 1 keeps content; T0 is 2026-11-01.
        for (int i = 1; i <= 6; i++) {
            log.append(Records.record("acme", i)).get(10, TimeUnit.SECONDS);
        }
        log.append(Records.record("acme", "r-acme-new", Instant.parse("2026-12-01T00:00:00Z"), 9))
                .get(10, TimeUnit.SECONDS);
        AuditRecord kept = only("r-acme-1");
        assertThat(kept.content().prompt()).contains("[REDACTED-EMAIL] 1");
        assertThat(kept.contentDigest()).startsWith("sha256:");
        ChainedEntry stored = store.query(
                        AuditQuery.builder().requestId("r-acme-1").build())
                .entries()
                .get(0);
        assertThat(stored.body()).contains("\"contentDigest\"").doesNotContain("REDACTED-EMAIL");

        Clock december = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
        long erased = new Retention(log, december).eraseContent("acme", Duration.ofDays(30));

        assertThat(erased).isEqualTo(2); // r-acme-1 and r-acme-5
        AuditRecord after = only("r-acme-1");
        assertThat(after.content()).isNull();
        assertThat(after.contentErased()).isTrue();
        assertThat(only("r-acme-new").content()).isNotNull();
        assertThat(new ChainVerifier(store).verify("acme").intact()).isTrue();
    }

    @Test
    void alteredContentIsNamedByTheVerifier() throws Exception {
        log.append(Records.record("acme", 1)).get(10, TimeUnit.SECONDS);
        log.append(Records.record("acme", 2)).get(10, TimeUnit.SECONDS);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("audit.db"));
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_entry SET content = replace(content, 'prompt', 'PROMPT') "
                    + "WHERE request_id = 'r-acme-1'");
        }

        ChainVerifier.Report report = new ChainVerifier(store).verify("acme");

        assertThat(report.intact()).isFalse();
        assertThat(report.firstBroken().orElseThrow().requestId()).isEqualTo("r-acme-1");
        assertThat(report.firstBroken().orElseThrow().reason()).contains("content was altered");
        // An altered text is never shown as the record's content.
        assertThat(only("r-acme-1").content()).isNull();
    }
}
