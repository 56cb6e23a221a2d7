package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written before chains were per instance (schema V1, one chain per tenant) and a spill file left by such
 * a version: after the upgrade the old rows and spilled entries form the 'default' instance's chains and verify,
 * and new entries start a chain of their own next to them.
 */
class SchemaUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void v1RowsAndALegacySpillFileBecomeTheDefaultInstancesChainsAndStillVerify() throws Exception {
        Path db = dir.resolve("audit.db");
        String url = "jdbc:sqlite:" + db.toAbsolutePath();
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/audit/sqlite")
                .table("audit_schema_history")
                .target("1")
                .load()
                .migrate();
        ChainHead head = ChainHead.empty(new ChainId("acme", ChainId.LEGACY_INSTANCE));
        List<ChainedEntry> legacy = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            ChainedEntry e = ChainedEntry.seal(head, Records.record("acme", i));
            legacy.add(e);
            head = e.head();
        }
        try (Connection c = DriverManager.getConnection(url)) {
            for (ChainedEntry e : legacy.subList(0, 10)) {
                insertV1(c, e);
            }
        }
        // The last two were spilled by the old version: lines without an instance.
        Path spill = dir.resolve("spill.jsonl");
        StringBuilder lines = new StringBuilder();
        for (ChainedEntry e : legacy.subList(10, 12)) {
            lines.append(CanonicalJson.write(Map.of(
                            "tenant",
                            e.tenant(),
                            "seq",
                            e.seq(),
                            "prevHash",
                            e.prevHash(),
                            "hash",
                            e.hash(),
                            "body",
                            e.body())))
                    .append('\n');
        }
        Files.writeString(spill, lines, StandardCharsets.UTF_8);

        try (AuditStore store = new SqliteAuditStore(db);
                AuditLog log = new AuditLog(
                        store,
                        AuditLogConfig.defaults()
                                .withSpillFile(spill)
                                .withInstanceId("gw-1")
                                .withRetryInterval(Duration.ofMillis(20)))) {
            ChainedEntry fresh = log.appendChained(Records.record("acme", 13)).join();

            assertThat(fresh.chain()).isEqualTo(new ChainId("acme", "gw-1"));
            assertThat(fresh.seq()).isEqualTo(1);
            assertThat(log.stats().replayed()).isEqualTo(2);
            List<ChainVerifier.Report> reports = new ChainVerifier(store).verifyAll();
            assertThat(reports)
                    .extracting(ChainVerifier.Report::chain)
                    .containsExactly(new ChainId("acme", ChainId.LEGACY_INSTANCE), new ChainId("acme", "gw-1"));
            assertThat(reports).allMatch(ChainVerifier.Report::intact);
            assertThat(reports).extracting(ChainVerifier.Report::entriesChecked).containsExactly(12L, 1L);
            assertThat(reports.get(0).head()).isEqualTo(legacy.get(11).head());
            assertThat(store.query(AuditQuery.builder().tenant("acme").build()).entries())
                    .hasSize(13);
        }
    }

    private static void insertV1(Connection c, ChainedEntry e) throws Exception {
        IndexColumns ix = IndexColumns.of(e.entry());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_entry (tenant, seq, kind, request_id, ts_ms, "
                + "model, purpose, outcome, decision, rule, http_status, classifiers, categories, prev_hash, hash, body) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, e.tenant());
            ps.setLong(2, e.seq());
            ps.setString(3, ix.kind());
            ps.setString(4, ix.requestId());
            ps.setLong(5, ix.timeMs());
            ps.setString(6, ix.model());
            ps.setString(7, ix.purpose());
            ps.setString(8, ix.outcome());
            ps.setString(9, ix.decision());
            ps.setString(10, ix.rule());
            ps.setObject(11, ix.httpStatus());
            ps.setString(12, ix.classifiers());
            ps.setString(13, ix.categories());
            ps.setString(14, e.prevHash());
            ps.setString(15, e.hash());
            ps.setString(16, e.body());
            ps.executeUpdate();
        }
        if (e.entry() instanceof AuditRecord r) {
            for (String category : r.categories()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit_category (tenant, seq, ts_ms, category) VALUES (?,?,?,?)")) {
                    ps.setString(1, e.tenant());
                    ps.setLong(2, e.seq());
                    ps.setLong(3, ix.timeMs());
                    ps.setString(4, category);
                    ps.executeUpdate();
                }
            }
        }
    }
}
