package dev.warden.policy.audit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The SQL both stores share. The schema is kept to what SQLite and PostgreSQL read the same way (TEXT, BIGINT,
 * {@code ON CONFLICT}, integer division for time buckets), so only connection set-up and migrations differ.
 */
abstract class JdbcAuditStore implements AuditStore {

    private static final String COLUMNS = "e.tenant, e.seq, e.prev_hash, e.hash, e.body, e.kind, e.request_id, "
            + "e.ts_ms, e.model, e.purpose, e.outcome, e.decision, e.rule, e.http_status, e.classifiers, e.categories, "
            + "e.instance, e.policy_version, e.content";
    private static final int SCAN_PAGE = 1000;

    private final DataSource dataSource;
    private final AutoCloseable owned;

    JdbcAuditStore(DataSource dataSource, AutoCloseable owned, String migrations) {
        this.dataSource = dataSource;
        this.owned = owned;
        Flyway.configure()
                .dataSource(dataSource)
                .locations(migrations)
                .table("audit_schema_history")
                .load()
                .migrate();
    }

    @Override
    public void append(List<ChainedEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            // The category rows' statement is prepared only for a batch that has some: most records (every
            // stream's opening record among them) name no category, and preparing a statement is a good part of
            // the cost of a one-record batch, which a stream's first byte waits for.
            List<CategoryRow> categoryRows = new ArrayList<>();
            try (PreparedStatement entry = c.prepareStatement("INSERT INTO audit_entry (tenant, seq, kind, request_id, "
                    + "ts_ms, model, purpose, outcome, decision, rule, http_status, classifiers, categories, prev_hash, "
                    + "hash, body, instance, policy_version, content) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    + "ON CONFLICT (tenant, instance, seq) DO NOTHING")) {
                for (ChainedEntry e : entries) {
                    IndexColumns ix = IndexColumns.of(e.entry());
                    entry.setString(1, e.tenant());
                    entry.setLong(2, e.seq());
                    entry.setString(3, ix.kind());
                    entry.setString(4, ix.requestId());
                    entry.setLong(5, ix.timeMs());
                    entry.setString(6, ix.model());
                    entry.setString(7, ix.purpose());
                    entry.setString(8, ix.outcome());
                    entry.setString(9, ix.decision());
                    entry.setString(10, ix.rule());
                    if (ix.httpStatus() == null) {
                        entry.setNull(11, Types.INTEGER);
                    } else {
                        entry.setInt(11, ix.httpStatus());
                    }
                    entry.setString(12, ix.classifiers());
                    entry.setString(13, ix.categories());
                    entry.setString(14, e.prevHash());
                    entry.setString(15, e.hash());
                    entry.setString(16, e.body());
                    entry.setString(17, e.instance());
                    entry.setString(18, ix.policyVersion());
                    entry.setString(19, e.detachedContent());
                    entry.addBatch();
                    if (e.entry() instanceof AuditRecord r) {
                        for (String cat : r.categories()) {
                            categoryRows.add(new CategoryRow(e.tenant(), e.seq(), ix.timeMs(), cat, e.instance()));
                        }
                    }
                }
                int[] inserted = entry.executeBatch();
                refuseForks(c, entries, inserted);
            }
            if (!categoryRows.isEmpty()) {
                try (PreparedStatement category = c.prepareStatement("INSERT INTO audit_category (tenant, seq, ts_ms, "
                        + "category, instance) VALUES (?,?,?,?,?) "
                        + "ON CONFLICT (tenant, instance, seq, category) DO NOTHING")) {
                    for (CategoryRow row : categoryRows) {
                        category.setString(1, row.tenant());
                        category.setLong(2, row.seq());
                        category.setLong(3, row.timeMs());
                        category.setString(4, row.category());
                        category.setString(5, row.instance());
                        category.addBatch();
                    }
                    category.executeBatch();
                }
            }
            return null;
        });
    }

    /** One row of {@code audit_category}: a category an entry's record names. */
    private record CategoryRow(String tenant, long seq, long timeMs, String category, String instance) {}

    /**
     * An entry skipped by ON CONFLICT must be the very same entry (a replay); a different one at the same place
     * means two writers forked the chain, which must fail loudly rather than vanish.
     */
    private static void refuseForks(Connection c, List<ChainedEntry> entries, int[] inserted) throws SQLException {
        try (PreparedStatement existing =
                c.prepareStatement("SELECT hash FROM audit_entry WHERE tenant = ? AND instance = ? AND seq = ?")) {
            for (int i = 0; i < inserted.length; i++) {
                if (inserted[i] != 0) {
                    continue;
                }
                ChainedEntry e = entries.get(i);
                existing.setString(1, e.tenant());
                existing.setString(2, e.instance());
                existing.setLong(3, e.seq());
                try (ResultSet rs = existing.executeQuery()) {
                    if (rs.next() && !rs.getString(1).equals(e.hash())) {
                        throw new SQLException("chain fork: chain " + e.chain() + " already has a different entry "
                                + "at seq " + e.seq() + " (is another process writing with instance id "
                                + e.instance() + "?)");
                    }
                }
            }
        }
    }

    @Override
    public Map<String, ChainHead> heads(String instance) {
        Map<String, ChainHead> heads = new LinkedHashMap<>();
        query(
                "SELECT tenant, seq, hash FROM audit_anchor WHERE instance = ?",
                List.of(instance),
                rs -> heads.put(
                        rs.getString(1), new ChainHead(rs.getString(1), instance, rs.getLong(2), rs.getString(3))));
        query(
                "SELECT e.tenant, e.seq, e.hash FROM audit_entry e JOIN (SELECT tenant, MAX(seq) AS m FROM audit_entry "
                        + "WHERE instance = ? GROUP BY tenant) x ON e.tenant = x.tenant AND e.seq = x.m "
                        + "WHERE e.instance = ?",
                List.of(instance, instance),
                rs -> heads.put(
                        rs.getString(1), new ChainHead(rs.getString(1), instance, rs.getLong(2), rs.getString(3))));
        return heads;
    }

    @Override
    public Optional<ChainHead> anchor(ChainId chain) {
        List<ChainHead> found = new ArrayList<>();
        query(
                "SELECT seq, hash FROM audit_anchor WHERE tenant = ? AND instance = ?",
                List.of(chain.tenant(), chain.instance()),
                rs -> found.add(new ChainHead(chain, rs.getLong(1), rs.getString(2))));
        return found.stream().findFirst();
    }

    @Override
    public List<String> tenants() {
        List<String> tenants = new ArrayList<>();
        query(
                "SELECT tenant FROM audit_entry GROUP BY tenant UNION SELECT tenant FROM audit_anchor ORDER BY 1",
                List.of(),
                rs -> tenants.add(rs.getString(1)));
        return tenants;
    }

    @Override
    public List<ChainId> chains() {
        List<ChainId> chains = new ArrayList<>();
        query(
                "SELECT tenant, instance FROM audit_entry GROUP BY tenant, instance "
                        + "UNION SELECT tenant, instance FROM audit_anchor ORDER BY 1, 2",
                List.of(),
                rs -> chains.add(new ChainId(rs.getString(1), rs.getString(2))));
        return chains;
    }

    @Override
    public void scanChain(ChainId chain, long afterSeq, Consumer<StoredRow> sink) {
        long next = afterSeq;
        while (true) {
            List<StoredRow> page = new ArrayList<>(SCAN_PAGE);
            query(
                    "SELECT " + COLUMNS + " FROM audit_entry e WHERE e.tenant = ? AND e.instance = ? AND e.seq > ? "
                            + "ORDER BY e.seq LIMIT " + SCAN_PAGE,
                    List.of(chain.tenant(), chain.instance(), next),
                    rs -> page.add(row(rs)));
            if (page.isEmpty()) {
                return;
            }
            Map<Long, java.util.TreeSet<String>> categories = new HashMap<>();
            query(
                    "SELECT seq, category FROM audit_category WHERE tenant = ? AND instance = ? AND seq > ? AND seq <= ?",
                    List.of(
                            chain.tenant(),
                            chain.instance(),
                            next,
                            page.get(page.size() - 1).seq()),
                    rs -> categories
                            .computeIfAbsent(rs.getLong(1), k -> new java.util.TreeSet<>())
                            .add(rs.getString(2)));
            for (StoredRow r : page) {
                sink.accept(r.withCategoryIndex(
                        IndexColumns.joined(List.copyOf(categories.getOrDefault(r.seq(), new java.util.TreeSet<>())))));
            }
            if (page.size() < SCAN_PAGE) {
                return;
            }
            next = page.get(page.size() - 1).seq();
        }
    }

    @Override
    public AuditPage query(AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_entry e WHERE e.kind = ?");
        List<Object> args = new ArrayList<>();
        args.add(q.kind().name());
        where(q, sql, args);
        if (q.cursor() != null) {
            Cursor c = Cursor.decode(q.cursor());
            sql.append(" AND (e.ts_ms < ? OR (e.ts_ms = ? AND (e.tenant > ? OR (e.tenant = ? AND (e.instance > ? "
                    + "OR (e.instance = ? AND e.seq < ?))))))");
            args.addAll(List.of(c.timeMs, c.timeMs, c.tenant, c.tenant, c.instance, c.instance, c.seq));
        }
        sql.append(" ORDER BY e.ts_ms DESC, e.tenant ASC, e.instance ASC, e.seq DESC LIMIT ")
                .append(q.limit() + 1);
        List<ChainedEntry> found = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        query(sql.toString(), args, rs -> {
            StoredRow row = row(rs);
            found.add(row.entry());
            times.add(row.columns().timeMs());
        });
        if (found.size() <= q.limit()) {
            return new AuditPage(found, Optional.empty());
        }
        ChainedEntry last = found.get(q.limit() - 1);
        String next = new Cursor(times.get(q.limit() - 1), last.tenant(), last.instance(), last.seq()).encode();
        return new AuditPage(found.subList(0, q.limit()), Optional.of(next));
    }

    @Override
    public List<BucketCount> count(AuditQuery filter, TimeBucket bucket, CountKey key) {
        long width = bucket.millis();
        String keyColumn =
                switch (key) {
                    case DECISION -> "COALESCE(e.decision, '')";
                    case OUTCOME -> "e.outcome";
                    case MODEL -> "COALESCE(e.model, '')";
                    case TENANT -> "e.tenant";
                    case RULE -> "COALESCE(e.rule, '')";
                    case CATEGORY -> "c.category";
                };
        StringBuilder sql = new StringBuilder("SELECT (e.ts_ms / " + width + ") * " + width + " AS bucket, " + keyColumn
                + " AS k, COUNT(*) FROM audit_entry e");
        if (key == CountKey.CATEGORY) {
            sql.append(" JOIN audit_category c ON c.tenant = e.tenant AND c.instance = e.instance AND c.seq = e.seq");
        }
        sql.append(" WHERE e.kind = 'REQUEST'");
        List<Object> args = new ArrayList<>();
        where(filter, sql, args);
        sql.append(" GROUP BY 1, 2 ORDER BY 1, 2");
        List<BucketCount> counts = new ArrayList<>();
        query(
                sql.toString(),
                args,
                rs -> counts.add(new BucketCount(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getLong(3))));
        return counts;
    }

    @Override
    public Optional<ChainHead> lastBefore(ChainId chain, Instant cutoff) {
        List<ChainHead> found = new ArrayList<>();
        query(
                "SELECT seq, hash FROM audit_entry WHERE tenant = ? AND instance = ? AND ts_ms < ? "
                        + "ORDER BY seq DESC LIMIT 1",
                List.of(chain.tenant(), chain.instance(), cutoff.toEpochMilli()),
                rs -> found.add(new ChainHead(chain, rs.getLong(1), rs.getString(2))));
        return found.stream().findFirst();
    }

    @Override
    public long deleteThrough(ChainHead anchor) {
        return inTransaction(c -> {
            try (PreparedStatement cat = c.prepareStatement(
                            "DELETE FROM audit_category WHERE tenant = ? AND instance = ? AND seq <= ?");
                    PreparedStatement del = c.prepareStatement(
                            "DELETE FROM audit_entry WHERE tenant = ? AND instance = ? AND seq <= ?");
                    PreparedStatement anc = c.prepareStatement("INSERT INTO audit_anchor (tenant, instance, seq, hash, "
                            + "updated_ms) VALUES (?,?,?,?,?) ON CONFLICT (tenant, instance) DO UPDATE SET "
                            + "seq = excluded.seq, hash = excluded.hash, updated_ms = excluded.updated_ms")) {
                for (PreparedStatement ps : List.of(cat, del)) {
                    ps.setString(1, anchor.tenant());
                    ps.setString(2, anchor.instance());
                    ps.setLong(3, anchor.seq());
                }
                cat.executeUpdate();
                long deleted = del.executeUpdate();
                anc.setString(1, anchor.tenant());
                anc.setString(2, anchor.instance());
                anc.setLong(3, anchor.seq());
                anc.setString(4, anchor.hash());
                anc.setLong(5, System.currentTimeMillis());
                anc.executeUpdate();
                return deleted;
            }
        });
    }

    @Override
    public List<ChainedEntry> unfinishedStreams(String instance) {
        List<ChainedEntry> found = new ArrayList<>();
        query(
                "SELECT " + COLUMNS + " FROM audit_entry e WHERE e.instance = ? AND e.kind = 'REQUEST' "
                        + "AND e.outcome = 'STREAM_STARTED' AND NOT EXISTS (SELECT 1 FROM audit_entry f "
                        + "WHERE f.request_id = e.request_id AND f.tenant = e.tenant AND f.instance = e.instance "
                        + "AND f.outcome <> 'STREAM_STARTED') ORDER BY e.tenant, e.seq",
                List.of(instance),
                rs -> {
                    StoredRow row = row(rs);
                    found.add(ChainedEntry.stored(
                            row.tenant(), row.instance(), row.seq(), row.prevHash(), row.hash(), row.body()));
                });
        return found;
    }

    @Override
    public void appendCheckpoint(HeadCheckpoint checkpoint) {
        inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO audit_head_checkpoint (instance, ts_ms, key_id, "
                            + "body, signature) VALUES (?,?,?,?,?) ON CONFLICT (instance, ts_ms) DO UPDATE SET "
                            + "key_id = excluded.key_id, body = excluded.body, signature = excluded.signature")) {
                ps.setString(1, checkpoint.instance());
                ps.setLong(2, checkpoint.time().toEpochMilli());
                ps.setString(3, checkpoint.keyId());
                ps.setString(4, checkpoint.body());
                ps.setString(5, checkpoint.signature());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<String, HeadCheckpoint> latestCheckpoints() {
        Map<String, HeadCheckpoint> latest = new LinkedHashMap<>();
        query(
                "SELECT k.instance, k.body, k.signature FROM audit_head_checkpoint k JOIN (SELECT instance, "
                        + "MAX(ts_ms) AS m FROM audit_head_checkpoint GROUP BY instance) x "
                        + "ON k.instance = x.instance AND k.ts_ms = x.m ORDER BY k.instance",
                List.of(),
                rs -> latest.put(rs.getString(1), storedCheckpoint(rs.getString(1), rs.getString(2), rs.getString(3))));
        return latest;
    }

    /**
     * A stored checkpoint whose body does not even parse is still returned, as one vouching for nothing with an
     * empty signature, so that the verifier reports it instead of the store failing.
     */
    private static HeadCheckpoint storedCheckpoint(String instance, String body, String signature) {
        try {
            HeadCheckpoint parsed = HeadCheckpoint.stored(body, signature);
            if (parsed.instance().equals(instance)) {
                return parsed;
            }
        } catch (RuntimeException unreadable) {
            // falls through to the unusable checkpoint below
        }
        return new HeadCheckpoint(instance, Instant.EPOCH, List.of(), "", body, "");
    }

    @Override
    public long eraseContent(ChainId chain, Instant before) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_entry SET content = NULL WHERE tenant = ? "
                    + "AND instance = ? AND ts_ms < ? AND content IS NOT NULL")) {
                ps.setString(1, chain.tenant());
                ps.setString(2, chain.instance());
                ps.setLong(3, before.toEpochMilli());
                return (long) ps.executeUpdate();
            }
        });
    }

    @Override
    public void savePolicyVersion(PolicyVersion version) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_policy_version (digest, first_seen_ms, "
                    + "documents) VALUES (?,?,?) ON CONFLICT (digest) DO NOTHING")) {
                ps.setString(1, version.digest());
                ps.setLong(2, version.firstSeen().toEpochMilli());
                ps.setString(3, version.documentsJson());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<PolicyVersion> policyVersion(String digest) {
        List<PolicyVersion> found = new ArrayList<>();
        query(
                "SELECT digest, first_seen_ms, documents FROM audit_policy_version WHERE digest = ?",
                List.of(digest),
                rs -> found.add(
                        PolicyVersion.stored(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3))));
        return found.stream().findFirst();
    }

    @Override
    public List<PolicyVersion> policyVersions() {
        List<PolicyVersion> found = new ArrayList<>();
        query(
                "SELECT digest, first_seen_ms, documents FROM audit_policy_version ORDER BY first_seen_ms, digest",
                List.of(),
                rs -> found.add(
                        PolicyVersion.stored(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3))));
        return found;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new AuditStoreException("closing the audit store", e);
            }
        }
    }

    private static void where(AuditQuery q, StringBuilder sql, List<Object> args) {
        if (q.from() != null) {
            sql.append(" AND e.ts_ms >= ?");
            args.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            sql.append(" AND e.ts_ms < ?");
            args.add(q.to().toEpochMilli());
        }
        if (q.tenant() != null) {
            sql.append(" AND e.tenant = ?");
            args.add(q.tenant());
        }
        if (q.model() != null) {
            sql.append(" AND e.model = ?");
            args.add(q.model());
        }
        if (q.requestId() != null) {
            sql.append(" AND e.request_id = ?");
            args.add(q.requestId());
        }
        if (q.tenantsOnly()) {
            sql.append(" AND e.tenant NOT LIKE '~%'");
        }
        if (q.keyId() != null) {
            // No column of its own (that would need a migration); the canonical body writes it exactly so, and a
            // key id is 8 hex digits (AuditQuery checks), so nothing in it needs escaping for LIKE.
            sql.append(" AND e.body LIKE ?");
            args.add("%\"keyId\":\"" + q.keyId() + "\"%");
        }
        if (!q.outcomes().isEmpty()) {
            sql.append(" AND e.outcome IN (")
                    .append("?,".repeat(q.outcomes().size() - 1))
                    .append("?)");
            q.outcomes().stream().map(Enum::name).sorted().forEach(args::add);
        } else if (q.kind() == AuditEntry.Kind.REQUEST) {
            // A stream's opening record is not a request of its own: one request, one record, unless asked for.
            sql.append(" AND e.outcome <> 'STREAM_STARTED'");
        }
        if (!q.decisions().isEmpty()) {
            sql.append(" AND e.decision IN (")
                    .append("?,".repeat(q.decisions().size() - 1))
                    .append("?)");
            q.decisions().stream().sorted().forEach(args::add);
        }
        if (q.category() != null) {
            sql.append(
                    " AND EXISTS (SELECT 1 FROM audit_category ac WHERE ac.tenant = e.tenant AND ac.instance = e.instance "
                            + "AND ac.seq = e.seq "
                            + "AND ac.category = ?)");
            args.add(q.category());
        }
        if (q.classifier() != null) {
            sql.append(" AND e.classifiers LIKE ? ESCAPE '\\'");
            args.add("%|"
                    + q.classifier().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "|%");
        }
    }

    private static StoredRow row(ResultSet rs) throws SQLException {
        int status = rs.getInt(14);
        Integer httpStatus = rs.wasNull() ? null : status;
        IndexColumns columns = new IndexColumns(
                rs.getString(6),
                rs.getString(7),
                rs.getLong(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getString(12),
                rs.getString(13),
                httpStatus,
                rs.getString(15),
                rs.getString(16),
                rs.getString(18));
        return new StoredRow(
                rs.getString(1),
                rs.getString(17),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                columns,
                null,
                rs.getString(19));
    }

    @FunctionalInterface
    private interface RowHandler {
        void accept(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private void query(String sql, List<?> args, RowHandler handler) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw new AuditStoreException("audit query failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("audit write failed: " + e.getMessage(), e);
        }
    }

    /**
     * Position after the last row of a page: (time, tenant, instance, seq), base64url so clients treat it as
     * opaque. Tenant and instance are separated by NUL, which neither contains.
     */
    private record Cursor(long timeMs, String tenant, String instance, long seq) {

        String encode() {
            String raw = timeMs + ":" + seq + ":" + tenant + "\u0000" + instance;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = raw.split(":", 3);
                int nul = parts[2].indexOf('\u0000');
                if (nul < 0) {
                    throw new IllegalArgumentException("no instance");
                }
                return new Cursor(
                        Long.parseLong(parts[0]),
                        parts[2].substring(0, nul),
                        parts[2].substring(nul + 1),
                        Long.parseLong(parts[1]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a cursor from this audit log: " + cursor, e);
            }
        }
    }
}
