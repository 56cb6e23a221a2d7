package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.policy.testing.SharedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateway replicas on one PostgreSQL store: each replica is an {@link AuditLog} with its own store (own
 * connection pool, as in separate processes) and its own instance id, all appending for the same tenants at once.
 */
@Tag("slow")
class SharedPostgresWritersTest {

    private static final List<String> TENANTS = List.of("acme", "globex");
    private static final int PER_REPLICA_AND_TENANT = 300;

    @TempDir
    Path dir;

    private String url;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        url = SharedPostgres.freshDatabase("shared");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private AuditStore store() {
        AuditStore s = AuditStores.open(url);
        toClose.add(s);
        return s;
    }

    private AuditLog replica(String instanceId) {
        AuditLogConfig config = AuditLogConfig.defaults()
                .withInstanceId(instanceId)
                .withMaxBatch(50)
                .withSpillFile(dir.resolve(instanceId + "-spill.jsonl"))
                .withRetryInterval(Duration.ofMillis(50));
        AuditLog log = new AuditLog(store(), config);
        toClose.add(log);
        return log;
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    /**
     * Each replica appends from {@code threads} threads, interleaving both tenants, while the others do the same.
     * Record {@code i} is dated T0 + i s; with one thread per replica its chains are in time order.
     */
    private static List<ChainedEntry> appendConcurrently(List<AuditLog> replicas, int threads) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(threads * replicas.size());
        try {
            List<Future<List<ChainedEntry>>> done = new ArrayList<>();
            for (int r = 0; r < replicas.size(); r++) {
                AuditLog log = replicas.get(r);
                for (int thread = 0; thread < threads; thread++) {
                    int replica = r;
                    int half = thread;
                    done.add(callers.submit(() -> {
                        List<CompletableFuture<ChainedEntry>> futures = new ArrayList<>();
                        for (int i = half; i < PER_REPLICA_AND_TENANT; i += threads) {
                            for (String tenant : TENANTS) {
                                futures.add(log.appendChained(Records.record(
                                        tenant,
                                        "r-" + tenant + "-" + replica + "-" + i,
                                        Records.T0.plusSeconds(i),
                                        i)));
                            }
                        }
                        return futures.stream().map(CompletableFuture::join).toList();
                    }));
                }
            }
            List<ChainedEntry> all = new ArrayList<>();
            for (Future<List<ChainedEntry>> f : done) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            callers.shutdownNow();
        }
    }

    private static List<ChainedEntry> everything(AuditStore store, AuditQuery q) {
        List<ChainedEntry> all = new ArrayList<>();
        AuditQuery page = q;
        while (true) {
            AuditPage p = store.query(page);
            all.addAll(p.entries());
            if (p.nextCursor().isEmpty()) {
                return all;
            }
            page = page.toBuilder().cursor(p.nextCursor().get()).build();
        }
    }

    @Test
    void twoReplicasAppendingForTheSameTenantsKeepOneIntactChainEach() throws Exception {
        AuditLog a = replica("replica-a");
        AuditLog b = replica("replica-b");

        List<ChainedEntry> appended = appendConcurrently(List.of(a, b), 2);

        int total = 2 * TENANTS.size() * PER_REPLICA_AND_TENANT;
        assertThat(appended).hasSize(total);
        for (AuditLog log : List.of(a, b)) {
            assertThat(log.stats().committed()).isEqualTo(TENANTS.size() * PER_REPLICA_AND_TENANT);
            assertThat(log.stats().spilled()).isZero();
            assertThat(log.stats().lost()).isZero();
        }
        AuditStore reader = store();
        List<ChainVerifier.Report> reports = new ChainVerifier(reader).verifyAll();
        assertThat(reports)
                .extracting(ChainVerifier.Report::chain)
                .containsExactly(
                        new ChainId("acme", "replica-a"), new ChainId("acme", "replica-b"),
                        new ChainId("globex", "replica-a"), new ChainId("globex", "replica-b"));
        for (ChainVerifier.Report r : reports) {
            assertThat(r.firstBroken()).as(r.chain().toString()).isEmpty();
            assertThat(r.entriesChecked()).isEqualTo(PER_REPLICA_AND_TENANT);
            assertThat(r.head().seq()).isEqualTo(PER_REPLICA_AND_TENANT);
        }

        // A query by tenant returns both replicas' records, each once, paging across the two chains.
        List<ChainedEntry> acme =
                everything(reader, AuditQuery.builder().tenant("acme").limit(97).build());
        assertThat(acme).hasSize(2 * PER_REPLICA_AND_TENANT);
        assertThat(acme).extracting(ChainedEntry::instance).containsOnly("replica-a", "replica-b");
        Set<String> ids = new HashSet<>();
        acme.forEach(e -> ids.add(e.entry().requestId()));
        assertThat(ids).hasSize(2 * PER_REPLICA_AND_TENANT);
        assertThat(everything(reader, AuditQuery.all())).hasSize(total);
        assertThat(reader.count(AuditQuery.builder().tenant("acme").build(), TimeBucket.DAY, CountKey.TENANT))
                .singleElement()
                .extracting(BucketCount::count)
                .isEqualTo((long) 2 * PER_REPLICA_AND_TENANT);
    }

    @Test
    void tamperingIsNamedAtTheExactRecordOfTheExactChain() throws Exception {
        appendConcurrently(List.of(replica("replica-a"), replica("replica-b")), 2);
        AuditStore reader = store();

        sql("UPDATE audit_entry SET model = 'gpt-4' WHERE tenant = 'acme' AND instance = 'replica-b' AND seq = 37");

        List<ChainVerifier.Report> reports = new ChainVerifier(reader).verifyAll();
        assertThat(reports).filteredOn(r -> !r.intact()).singleElement().satisfies(r -> {
            assertThat(r.chain()).isEqualTo(new ChainId("acme", "replica-b"));
            ChainVerifier.BrokenLink broken = r.firstBroken().orElseThrow();
            assertThat(broken.instance()).isEqualTo("replica-b");
            assertThat(broken.seq()).isEqualTo(37);
            assertThat(broken.reason()).contains("model");
            ChainedEntry edited = reader.query(
                            AuditQuery.builder().requestId(broken.requestId()).build())
                    .entries()
                    .get(0);
            assertThat(edited.chain()).isEqualTo(new ChainId("acme", "replica-b"));
            assertThat(edited.seq()).isEqualTo(37);
        });
        assertThat(new ChainVerifier(reader).verifyTenant("acme"))
                .extracting(ChainVerifier.Report::intact)
                .containsExactly(true, false);
        assertThat(new ChainVerifier(reader).verify("acme").firstBroken())
                .map(ChainVerifier.BrokenLink::seq)
                .contains(37L);
        assertThat(new ChainVerifier(reader).verifyTenant("globex")).allMatch(ChainVerifier.Report::intact);

        // The same seq on the other replica's chain is untouched, and a deleted record leaves a gap in its chain only.
        sql("DELETE FROM audit_entry WHERE tenant = 'globex' AND instance = 'replica-a' AND seq = 5");
        assertThat(new ChainVerifier(reader)
                        .verify(new ChainId("globex", "replica-a"))
                        .firstBroken())
                .map(ChainVerifier.BrokenLink::seq)
                .contains(6L);
        assertThat(new ChainVerifier(reader)
                        .verify(new ChainId("globex", "replica-b"))
                        .intact())
                .isTrue();
    }

    @Test
    void aRestartedReplicaWithTheSameIdContinuesItsChain() throws Exception {
        AuditLog first = replica("replica-a");
        AuditLog other = replica("replica-b");
        first.appendChained(Records.record("acme", 1)).join();
        other.appendChained(Records.record("acme", 2)).join();
        ChainedEntry last = first.appendChained(Records.record("acme", 3)).join();
        first.close();

        AuditLog restarted = replica("replica-a");
        ChainedEntry next = restarted.appendChained(Records.record("acme", 4)).join();

        assertThat(next.chain()).isEqualTo(last.chain());
        assertThat(next.seq()).isEqualTo(last.seq() + 1);
        assertThat(next.prevHash()).isEqualTo(last.hash());
        assertThat(new ChainVerifier(store()).verifyAll())
                .allMatch(ChainVerifier.Report::intact)
                .extracting(ChainVerifier.Report::entriesChecked)
                .containsExactly(3L, 1L);
    }

    @Test
    void twoWritersSharingAnInstanceIdAreRefusedAsAForkNotSilentlyMerged() throws Exception {
        AuditLog a = replica("same");
        AuditLog b = replica("same");
        ChainedEntry fromA = a.appendChained(Records.record("acme", 1)).join();
        ChainedEntry fromB = b.appendChained(Records.record("acme", 2)).join();

        // Both sealed seq 1 on the same chain; the store keeps the first and refuses the second, which is spilled.
        assertThat(fromA.seq()).isEqualTo(1);
        assertThat(fromB.seq()).isEqualTo(1);
        assertThat(b.stats().spilled()).isEqualTo(1);
        assertThat(new ChainVerifier(store()).verifyAll())
                .singleElement()
                .satisfies(r -> assertThat(r.intact()).isTrue())
                .extracting(ChainVerifier.Report::entriesChecked)
                .isEqualTo(1L);
    }

    @Test
    void retentionTrimsTheRunningReplicasChainAndLeavesTheOtherReplicasIntact() throws Exception {
        AuditLog a = replica("replica-a");
        AuditLog b = replica("replica-b");
        appendConcurrently(List.of(a, b), 1);
        AuditStore reader = store();
        // Records are T0 + i s for i in 0..299; measured at T0 + 299 s, a 100 s period keeps i >= 200 on replica a.
        Clock clock = Clock.fixed(Records.T0.plusSeconds(PER_REPLICA_AND_TENANT - 1), ZoneOffset.UTC);

        Retention.Result result = new Retention(a, clock).apply("acme", Duration.ofSeconds(100));

        assertThat(result.deleted()).isEqualTo(199);
        assertThat(result.anchor()).map(ChainHead::chain).contains(new ChainId("acme", "replica-a"));
        assertThat(result.checkpoint()).map(ChainedEntry::instance).contains("replica-a");
        List<ChainVerifier.Report> reports = new ChainVerifier(reader).verifyAll();
        assertThat(reports).allMatch(ChainVerifier.Report::intact);
        assertThat(reports)
                .filteredOn(r -> r.chain().equals(new ChainId("acme", "replica-a")))
                .singleElement()
                .satisfies(r -> assertThat(r.anchor().seq()).isEqualTo(199));
        assertThat(reports)
                .filteredOn(r -> r.chain().equals(new ChainId("acme", "replica-b")))
                .singleElement()
                .satisfies(r -> assertThat(r.entriesChecked()).isEqualTo(PER_REPLICA_AND_TENANT));
        assertThat(everything(reader, AuditQuery.builder().tenant("acme").build()))
                .hasSize(PER_REPLICA_AND_TENANT - 199 + PER_REPLICA_AND_TENANT);
    }
}
