package dev.warden.policy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link AuditStore} must do, run against SQLite and a real PostgreSQL by the subclasses. */
abstract class AuditStoreContract {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private AuditStore store;
    private AuditLog log;

    /** A store location ({@link AuditStores#open(String)}) for a database no other test uses. */
    abstract String freshLocation() throws Exception;

    /** Runs a statement directly against the database behind {@code location}, bypassing the store. */
    abstract void sql(String location, String statement) throws Exception;

    private String location;

    @BeforeEach
    void openStore() throws Exception {
        location = freshLocation();
        store = AuditStores.open(location);
        toClose.add(store);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private AuditLog log(AuditStore s, AuditLogConfig config) {
        AuditLog l = new AuditLog(s, config);
        toClose.add(l);
        return l;
    }

    private AuditLogConfig config() {
        return AuditLogConfig.defaults()
                .withSpillFile(dir.resolve("spill.jsonl"))
                .withRetryInterval(Duration.ofMillis(50));
    }

    private AuditLog log() {
        if (log == null) {
            log = log(store, config());
        }
        return log;
    }

    private List<ChainedEntry> appendAll(AuditLog l, List<AuditRecord> records) {
        List<CompletableFuture<ChainedEntry>> futures =
                records.stream().map(l::appendChained).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private static List<AuditRecord> records(String tenant, int from, int to) {
        List<AuditRecord> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(Records.record(tenant, i));
        }
        return list;
    }

    private static void eventually(String what, BooleanSupplier condition) {
        await(what)
                .atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    private List<AuditRecord> everything(AuditQuery q) {
        List<AuditRecord> all = new ArrayList<>();
        AuditQuery page = q;
        while (true) {
            AuditPage p = store.query(page);
            all.addAll(p.records());
            if (p.nextCursor().isEmpty()) {
                return all;
            }
            page = page.toBuilder().cursor(p.nextCursor().get()).build();
        }
    }

    @Test
    void recordsRoundTripThroughTheStoreUnchanged() {
        List<AuditRecord> written = records("acme", 1, 13);
        List<ChainedEntry> chained = appendAll(log(), written);

        assertThat(chained)
                .extracting(ChainedEntry::seq)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(chained.get(0).prevHash()).isEqualTo(HashChain.GENESIS);
        AuditPage page =
                store.query(AuditQuery.builder().tenant("acme").limit(100).build());
        List<AuditRecord> read = new ArrayList<>(page.records());
        java.util.Collections.reverse(read);
        assertThat(read).isEqualTo(written);
        assertThat(read.get(0).content().prompt()).contains("\"quoted\"\nwith [REDACTED-EMAIL]");
        assertThat(read.get(1).content()).isNull();
        assertThat(read.get(4).categories()).containsExactly("S1", "unsafe");
    }

    @Test
    void anIntactChainVerifies() {
        appendAll(log(), records("acme", 1, 30));
        appendAll(log(), records("globex", 1, 10));

        List<ChainVerifier.Report> reports = new ChainVerifier(store).verifyAll();

        assertThat(reports).extracting(ChainVerifier.Report::tenant).containsExactly("acme", "globex");
        assertThat(reports).allMatch(ChainVerifier.Report::intact);
        assertThat(reports.get(0).entriesChecked()).isEqualTo(29);
        assertThat(reports.get(0).head())
                .isEqualTo(store.heads(log().instanceId()).get("acme"));
    }

    @Test
    void anEditedColumnBreaksTheChainAtExactlyThatRecord() throws Exception {
        List<ChainedEntry> chained = appendAll(log(), records("acme", 1, 20));
        ChainedEntry victim = chained.get(9);
        assertThat(((AuditRecord) victim.entry()).outcome()).isEqualTo(Outcome.BLOCKED_INPUT);

        sql(
                location,
                "UPDATE audit_entry SET outcome = 'ALLOWED', decision = 'ALLOW' WHERE request_id = '"
                        + victim.entry().requestId() + "'");

        ChainVerifier.Report report = new ChainVerifier(store).verify("acme");
        assertThat(report.intact()).isFalse();
        ChainVerifier.BrokenLink broken = report.firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(victim.seq());
        assertThat(broken.requestId()).isEqualTo("r-acme-10");
        assertThat(broken.reason()).contains("outcome, decision");
        assertThat(report.entriesChecked()).isEqualTo(9);
    }

    @Test
    void anEditedBodyBreaksTheChainAtExactlyThatRecord() throws Exception {
        List<ChainedEntry> chained = appendAll(log(), records("acme", 1, 20));

        sql(
                location,
                "UPDATE audit_entry SET body = REPLACE(body, '\"promptSha256\":\"', '\"promptSha256\":\"0')"
                        + " WHERE tenant = 'acme' AND seq = 13");

        ChainVerifier.BrokenLink broken =
                new ChainVerifier(store).verify("acme").firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(13);
        assertThat(broken.requestId()).isEqualTo(chained.get(12).entry().requestId());
        assertThat(broken.reason()).contains("altered");
    }

    @Test
    void anEditedCategoryIndexIsCaughtAtThatRecord() throws Exception {
        appendAll(log(), records("acme", 1, 20));

        sql(location, "DELETE FROM audit_category WHERE tenant = 'acme' AND seq = 15 AND category = 'S1'");

        ChainVerifier.BrokenLink broken =
                new ChainVerifier(store).verify("acme").firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(15);
        assertThat(broken.requestId()).isEqualTo("r-acme-15");
        assertThat(broken.reason()).contains("category table was altered");
    }

    @Test
    void aDeletedRecordIsNamedByTheGapItLeaves() throws Exception {
        appendAll(log(), records("acme", 1, 20));

        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq = 7");

        ChainVerifier.BrokenLink broken =
                new ChainVerifier(store).verify("acme").firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(8);
        assertThat(broken.reason()).contains("entries 7..7 are missing");
    }

    @Test
    void concurrentAppendsAreGroupCommittedIntoValidChains() throws Exception {
        AuditLog l = log();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        try {
            List<CompletableFuture<List<CompletableFuture<Void>>>> producers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                producers.add(CompletableFuture.supplyAsync(
                        () -> {
                            List<CompletableFuture<Void>> mine = new ArrayList<>();
                            for (int i = 0; i < 250; i++) {
                                int n = thread * 1000 + i;
                                mine.add(l.append(Records.record("tenant-" + (n % 3), "c-" + n, Instant.now(), n)));
                            }
                            return mine;
                        },
                        pool));
            }
            producers.forEach(p -> all.addAll(p.join()));
        } finally {
            pool.shutdown();
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

        assertThat(l.stats().committed()).isEqualTo(2000);
        assertThat(l.stats().batches()).isLessThanOrEqualTo(2000);
        List<ChainVerifier.Report> reports = new ChainVerifier(store).verifyAll();
        assertThat(reports).hasSize(3).allMatch(ChainVerifier.Report::intact);
        assertThat(reports.stream()
                        .mapToLong(ChainVerifier.Report::entriesChecked)
                        .sum())
                .isEqualTo(2000);
    }

    @Test
    void queriesFilterOnEveryDimension() {
        appendAll(log(), records("acme", 1, 36));
        appendAll(log(), records("globex", 1, 11));

        assertThat(everything(AuditQuery.builder().tenant("acme").build())).hasSize(35);
        assertThat(everything(AuditQuery.builder().model("llama-3.1-70b").build()))
                .allMatch(r -> r.model().equals("llama-3.1-70b"))
                .hasSize(18 + 5);
        assertThat(everything(AuditQuery.builder()
                        .tenant("acme")
                        .outcome(Outcome.BLOCKED_INPUT)
                        .build()))
                .extracting(AuditRecord::requestId)
                .containsExactly(
                        "r-acme-35", "r-acme-30", "r-acme-25", "r-acme-20", "r-acme-15", "r-acme-10", "r-acme-5");
        assertThat(everything(
                        AuditQuery.builder().tenant("acme").decision("REDACT").build()))
                .extracting(AuditRecord::requestId)
                .containsExactly("r-acme-28", "r-acme-21", "r-acme-14", "r-acme-7");
        assertThat(everything(AuditQuery.builder().category("S1").build())).hasSize(7 + 2);
        assertThat(everything(AuditQuery.builder()
                        .tenant("acme")
                        .category("jailbreak")
                        .build()))
                .hasSize(5);
        assertThat(everything(AuditQuery.builder().classifier("prompt-guard").build()))
                .hasSize(45);
        assertThat(everything(AuditQuery.builder().classifier("prompt_guard").build()))
                .isEmpty();
        assertThat(everything(AuditQuery.builder().requestId("r-globex-3").build()))
                .singleElement()
                .extracting(AuditRecord::tenant)
                .isEqualTo("globex");
        assertThat(everything(AuditQuery.builder()
                        .tenant("acme")
                        .from(Records.T0.plusSeconds(10))
                        .to(Records.T0.plusSeconds(20))
                        .build()))
                .extracting(AuditRecord::requestId)
                .first()
                .isEqualTo("r-acme-19");
        assertThat(everything(AuditQuery.builder()
                        .tenant("acme")
                        .from(Records.T0.plusSeconds(10))
                        .to(Records.T0.plusSeconds(20))
                        .build()))
                .hasSize(10);
    }

    @Test
    void cursorPagesAreStableWhileNewRecordsArrive() {
        // Two tenants with identical timestamps exercise the tie-breaks of the order.
        appendAll(log(), records("acme", 1, 26));
        appendAll(log(), records("globex", 1, 26));

        List<String> seen = new ArrayList<>();
        AuditQuery q = AuditQuery.builder().limit(7).build();
        int pages = 0;
        while (true) {
            AuditPage page = store.query(q);
            pages++;
            page.records().forEach(r -> seen.add(r.requestId()));
            if (pages == 2) {
                appendAll(log(), List.of(Records.record("acme", "late", Records.T0.plusSeconds(1000), 1)));
            }
            if (page.nextCursor().isEmpty()) {
                break;
            }
            assertThat(page.entries()).hasSize(7);
            q = q.toBuilder().cursor(page.nextCursor().get()).build();
        }
        assertThat(pages).isEqualTo(8);
        assertThat(seen).hasSize(50).doesNotHaveDuplicates().doesNotContain("late");
        assertThat(seen.subList(0, 4)).containsExactly("r-acme-25", "r-globex-25", "r-acme-24", "r-globex-24");
        assertThatThrownBy(() ->
                        store.query(AuditQuery.builder().cursor("not a cursor").build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsPerDecisionAndCategoryPerBucket() {
        List<AuditRecord> list = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            // i minutes after T0: buckets of an hour split at i = 60, of a minute at every record.
            list.add(Records.record("acme", "m-" + i, Records.T0.plus(Duration.ofMinutes(i * 3L)), i));
        }
        appendAll(log(), list);
        AuditQuery acme = AuditQuery.builder().tenant("acme").build();

        List<BucketCount> byDecision = store.count(acme, TimeBucket.HOUR, CountKey.DECISION);
        Instant h10 = Records.T0;
        Instant h11 = Records.T0.plus(Duration.ofHours(1));
        // minutes 3..57 (i = 1..19) fall in hour 10, minutes 60..90 (i = 20..30) in hour 11.
        assertThat(byDecision)
                .containsExactly(
                        new BucketCount(h10, "ALLOW", 19 - 3 - 2),
                        new BucketCount(h10, "BLOCK", 3),
                        new BucketCount(h10, "REDACT", 2),
                        new BucketCount(h11, "ALLOW", 11 - 3 - 2),
                        new BucketCount(h11, "BLOCK", 3),
                        new BucketCount(h11, "REDACT", 2));

        List<BucketCount> byCategory = store.count(acme, TimeBucket.DAY, CountKey.CATEGORY);
        Instant day = Instant.parse("2026-11-01T00:00:00Z");
        // Order between keys follows the database's collation, which differs between SQLite and PostgreSQL.
        assertThat(byCategory)
                .containsExactlyInAnyOrder(
                        new BucketCount(day, "S1", 6),
                        new BucketCount(day, "jailbreak", 4),
                        new BucketCount(day, "unsafe", 6));

        List<BucketCount> perMinute = store.count(acme, TimeBucket.MINUTE, CountKey.OUTCOME);
        assertThat(perMinute).hasSize(30).allMatch(c -> c.count() == 1);
    }

    @Test
    void exportsCsvAndVerifiableJsonLines() throws Exception {
        List<ChainedEntry> chained = appendAll(log(), records("acme", 1, 1203));
        AuditExport export = new AuditExport(store);

        StringWriter csv = new StringWriter();
        long rows = export.csv(AuditQuery.builder().tenant("acme").build(), csv);
        assertThat(rows).isEqualTo(1202);
        String[] lines = csv.toString().split("\r\n(?=r-|acme|tenant)");
        assertThat(lines[0]).startsWith("tenant,seq,request_id,time,");
        assertThat(csv.toString())
                .contains("acme,1202,r-acme-1202,2026-11-01T10:20:02Z,key-2,llama-3.1-8b,support,"
                        + "ALLOWED,ALLOW,default,200,false,17,1322,30,300,48,240,12,llama-guard prompt-guard,,");

        StringWriter jsonl = new StringWriter();
        long n = export.jsonLines(AuditQuery.builder().tenant("acme").build(), jsonl);
        assertThat(n).isEqualTo(1202);
        List<String> jsonLines = jsonl.toString().lines().toList();
        assertThat(jsonLines).hasSize(1202);
        for (String line : jsonLines.subList(0, 50)) {
            Map<String, Object> m = CanonicalJson.read(line);
            String body = line.substring("{\"entry\":".length(), line.lastIndexOf(",\"hash\":"));
            assertThat(HashChain.link((String) m.get("prevHash"), body)).isEqualTo(m.get("hash"));
        }
        ChainedEntry newest = chained.get(chained.size() - 1);
        assertThat(jsonLines.get(0))
                .isEqualTo("{\"entry\":" + newest.body() + ",\"hash\":\"" + newest.hash()
                        + "\",\"instance\":\"" + newest.instance() + "\",\"prevHash\":\"" + newest.prevHash()
                        + "\",\"seq\":1202,\"tenant\":\"acme\"}");
    }

    @Test
    void retentionDeletesOldRecordsAndKeepsTheChainVerifiable() throws Exception {
        appendAll(log(), records("acme", 1, 101));
        appendAll(log(), records("globex", 1, 11));
        // T0 + 100 s is the newest record; a 40 s period measured at T0 + 100 s keeps records 60..100.
        Clock clock = Clock.fixed(Records.T0.plusSeconds(100), ZoneOffset.UTC);

        Retention.Result result = new Retention(log(), clock).apply("acme", Duration.ofSeconds(40));

        assertThat(result.deleted()).isEqualTo(59);
        assertThat(result.anchor()).map(ChainHead::seq).contains(59L);
        assertThat(result.checkpoint()).map(ChainedEntry::seq).contains(101L);
        assertThat(everything(AuditQuery.builder().tenant("acme").build()))
                .hasSize(41)
                .extracting(AuditRecord::requestId)
                .last()
                .isEqualTo("r-acme-60");
        ChainVerifier.Report report = new ChainVerifier(store).verify("acme");
        assertThat(report.firstBroken()).isEmpty();
        assertThat(report.anchor().seq()).isEqualTo(59);
        assertThat(report.entriesChecked()).isEqualTo(42);
        assertThat(new ChainVerifier(store).verify("globex").intact()).isTrue();

        // A second run later: the first checkpoint is itself old enough to go.
        appendAll(log(), List.of(Records.record("acme", "after", Records.T0.plusSeconds(200), 1)));
        Clock later = Clock.fixed(Records.T0.plusSeconds(300), ZoneOffset.UTC);
        Retention.Result second = new Retention(log(), later).apply("acme", Duration.ofSeconds(150));
        assertThat(second.anchor()).map(ChainHead::seq).contains(101L);
        assertThat(new ChainVerifier(store).verify("acme").intact()).isTrue();

        // Deleting beyond the attested anchor and forging the anchor is caught.
        ChainedEntry after = store.query(AuditQuery.builder().requestId("after").build())
                .entries()
                .get(0);
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq <= " + after.seq());
        sql(
                location,
                "UPDATE audit_anchor SET seq = " + after.seq() + ", hash = '" + after.hash()
                        + "' WHERE tenant = 'acme'");
        ChainVerifier.Report forged = new ChainVerifier(store).verify("acme");
        assertThat(forged.firstBroken())
                .map(ChainVerifier.BrokenLink::reason)
                .get()
                .asString()
                .contains("no retention checkpoint");
    }

    @Test
    void recordsSpillWhileTheStoreIsDownAndReplayInOrderWhenItReturns() throws Exception {
        FlakyStore flaky = new FlakyStore(store);
        AuditLog l = log(flaky, config());
        appendAll(l, records("acme", 1, 11));

        flaky.down = true;
        List<ChainedEntry> spilled = appendAll(l, records("acme", 11, 31));
        assertThat(spilled).extracting(ChainedEntry::seq).startsWith(11L).endsWith(30L);
        assertThat(l.stats().spilled()).isEqualTo(20);
        assertThat(l.stats().spillPending()).isTrue();
        assertThat(Files.readAllLines(dir.resolve("spill.jsonl"))).hasSize(20);
        assertThat(l.accepting()).isTrue();

        flaky.down = false;
        eventually("spill replayed", () -> !l.stats().spillPending());
        appendAll(l, records("acme", 31, 41));

        assertThat(l.stats().replayed()).isEqualTo(20);
        assertThat(Files.size(dir.resolve("spill.jsonl"))).isZero();
        ChainVerifier.Report report = new ChainVerifier(store).verify("acme");
        assertThat(report.intact()).isTrue();
        assertThat(report.entriesChecked()).isEqualTo(40);
        assertThat(everything(AuditQuery.builder().tenant("acme").build()))
                .extracting(AuditRecord::requestId)
                .first()
                .isEqualTo("r-acme-40");
    }

    @Test
    void aSpillLeftByAStoppedProcessIsReplayedByTheNextOne() throws Exception {
        FlakyStore flaky = new FlakyStore(store);
        AuditLog first = log(flaky, config());
        appendAll(first, records("acme", 1, 6));
        flaky.down = true;
        appendAll(first, records("acme", 6, 16));
        first.close();

        flaky.down = false;
        AuditLog second = log(store, config());
        List<ChainedEntry> more = appendAll(second, records("acme", 16, 21));

        // The new process continues the chain after the spilled entries, then replays them before its own.
        assertThat(more.get(0).seq()).isEqualTo(16);
        assertThat(second.stats().replayed()).isEqualTo(10);
        ChainVerifier.Report report = new ChainVerifier(store).verify("acme");
        assertThat(report.intact()).isTrue();
        assertThat(report.entriesChecked()).isEqualTo(20);
    }

    @Test
    void whenNeitherStoreNorSpillCanWriteAppendsFailLoudlyAndTheGatewayIsToldToRefuse() throws Exception {
        FlakyStore flaky = new FlakyStore(store);
        Path notAFile = Files.createDirectories(dir.resolve("spill-is-a-directory"));
        AuditLog l = log(flaky, config().withSpillFile(notAFile));
        appendAll(l, records("acme", 1, 4));

        flaky.down = true;
        CompletableFuture<Void> lost = l.append(Records.record("acme", 4));
        assertThatThrownBy(lost::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(AuditUnavailableException.class);
        assertThat(l.accepting()).isFalse();
        assertThat(l.stats().lost()).isEqualTo(1);

        flaky.down = false;
        eventually("accepting again", l::accepting);
        List<ChainedEntry> after = appendAll(l, records("acme", 5, 8));

        // The lost record's sequence number was given back: no gap in the chain.
        assertThat(after.get(0).seq()).isEqualTo(4);
        assertThat(new ChainVerifier(store).verify("acme").intact()).isTrue();
    }

    @Test
    void logAndContinueKeepsAcceptingWhenNothingCanBeWritten() throws Exception {
        FlakyStore flaky = new FlakyStore(store);
        Path notAFile = Files.createDirectories(dir.resolve("spill-is-a-directory"));
        AuditLog l = log(
                flaky,
                config().withSpillFile(notAFile).withOnSpillFailure(AuditLogConfig.SpillFailure.LOG_AND_CONTINUE));
        flaky.down = true;

        assertThatThrownBy(() -> l.append(Records.record("acme", 1)).join())
                .hasCauseInstanceOf(AuditUnavailableException.class);
        assertThat(l.accepting()).isTrue();
        assertThat(l.stats().lost()).isEqualTo(1);
    }

    @Test
    void aFullQueueRejectsAtOnceInsteadOfBlocking() {
        FlakyStore flaky = new FlakyStore(store);
        AuditLog l = log(flaky, config().withQueueCapacity(1).withMaxBatch(1));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(l.append(Records.record("acme", i + 1)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .join();

        long failed = futures.stream()
                .filter(CompletableFuture::isCompletedExceptionally)
                .count();
        assertThat(failed).isPositive().isEqualTo(l.stats().rejected());
        assertThat(l.stats().committed() + l.stats().rejected()).isEqualTo(2000);
        assertThat(new ChainVerifier(store).verify("acme").entriesChecked())
                .isEqualTo(l.stats().committed());
    }

    @Test
    void verifyCommandExitsNonZeroOnABrokenChain() throws Exception {
        appendAll(log(), records("acme", 1, 10));
        assertThat(VerifyAuditCommand.run(new String[] {location})).isZero();

        sql(location, "UPDATE audit_entry SET model = 'gpt-4' WHERE tenant = 'acme' AND seq = 4");

        assertThat(VerifyAuditCommand.run(new String[] {location, "--tenant", "acme"}))
                .isEqualTo(1);
        assertThat(VerifyAuditCommand.run(new String[] {})).isEqualTo(2);
        Optional<ChainVerifier.BrokenLink> broken =
                new ChainVerifier(store).verify("acme").firstBroken();
        assertThat(broken).map(ChainVerifier.BrokenLink::seq).contains(4L);
    }

    // --- signed chain-head checkpoints: what a hash chain alone cannot show -------------------------------------

    private final OperatorKey operatorKey = OperatorKey.generate();

    /** A log that signs checkpoints with the operator key only when asked (the interval never comes round). */
    private AuditLog signingLog(AuditStore s) {
        return log(
                s,
                new AuditLogConfig(
                                AuditLogConfig.DEFAULT_QUEUE_CAPACITY,
                                AuditLogConfig.DEFAULT_MAX_BATCH,
                                dir.resolve("spill.jsonl"),
                                AuditLogConfig.SpillFailure.REFUSE,
                                Duration.ofMillis(50),
                                "gw-1")
                        .withInstanceId("gw-1"),
                new AuditLog.Checkpoints(operatorKey, Duration.ofHours(1)));
    }

    private AuditLog log(AuditStore s, AuditLogConfig config, AuditLog.Checkpoints checkpoints) {
        AuditLog l = new AuditLog(s, config, checkpoints);
        toClose.add(l);
        return l;
    }

    private ChainVerifier signedVerifier() {
        return new ChainVerifier(store, operatorKey.publicKey());
    }

    /** Acme's records 1..20 and globex's 1..5, committed and covered by a signed checkpoint. */
    private List<ChainedEntry> checkpointedChains(AuditLog l) {
        List<ChainedEntry> acme = appendAll(l, records("acme", 1, 21));
        appendAll(l, records("globex", 1, 6));
        HeadCheckpoint checkpoint = l.checkpoint().join().orElseThrow();
        assertThat(checkpoint.signedBy(operatorKey.publicKey())).isTrue();
        assertThat(checkpoint.heads())
                .extracting(ChainHead::tenant, ChainHead::seq)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acme", 20L),
                        org.assertj.core.groups.Tuple.tuple("globex", 5L));
        assertThat(signedVerifier().verifyAll()).hasSize(2).allMatch(ChainVerifier.Report::intact);
        return acme;
    }

    /**
     * What an attacker with write access to the database but not the key can do: replace the chain from
     * {@code fromSeq} on with {@code replacement}, every link's hash recomputed so that the chain verifies.
     */
    private void recomputeChainFrom(ChainHead before, List<AuditRecord> replacement) throws Exception {
        sql(location, "DELETE FROM audit_category WHERE tenant = '" + before.tenant() + "' AND seq > " + before.seq());
        sql(location, "DELETE FROM audit_entry WHERE tenant = '" + before.tenant() + "' AND seq > " + before.seq());
        List<ChainedEntry> forged = new ArrayList<>();
        ChainHead head = before;
        for (AuditRecord r : replacement) {
            ChainedEntry e = ChainedEntry.seal(head, r);
            forged.add(e);
            head = e.head();
        }
        store.append(forged);
    }

    @Test
    void deletingTheNewestRecordsIsCaughtByTheSignedCheckpoint() throws Exception {
        checkpointedChains(signingLog(store));

        sql(location, "DELETE FROM audit_category WHERE tenant = 'acme' AND seq > 17");
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq > 17");

        assertThat(new ChainVerifier(store).verify("acme").intact())
                .as("a hash chain alone cannot see it")
                .isTrue();
        ChainVerifier.BrokenLink broken =
                signedVerifier().verify("acme").firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(18);
        assertThat(broken.reason()).contains("ends at seq 17").contains("entries 18..20 were deleted");
        assertThat(signedVerifier().verify("globex").intact()).isTrue();
    }

    @Test
    void deletingAWholeTenantsChainIsCaughtByTheSignedCheckpoint() throws Exception {
        checkpointedChains(signingLog(store));

        sql(location, "DELETE FROM audit_category WHERE tenant = 'globex'");
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'globex'");

        assertThat(new ChainVerifier(store).verifyAll()).hasSize(1).allMatch(ChainVerifier.Report::intact);
        List<ChainVerifier.Report> reports = signedVerifier().verifyAll();
        assertThat(reports).extracting(ChainVerifier.Report::tenant).containsExactly("acme", "globex");
        assertThat(reports.get(0).intact()).isTrue();
        assertThat(reports.get(1).firstBroken().orElseThrow().reason())
                .contains("the chain is missing")
                .contains("up to seq 5");
        assertThat(signedVerifier().verifyTenant("globex")).singleElement().matches(r -> !r.intact());
    }

    @Test
    void rewritingARecordAndRecomputingTheChainAfterItIsCaughtByTheSignedCheckpoint() throws Exception {
        List<ChainedEntry> acme = checkpointedChains(signingLog(store));
        List<AuditRecord> rewritten = new ArrayList<>();
        for (ChainedEntry e : acme.subList(4, acme.size())) {
            AuditRecord r = (AuditRecord) e.entry();
            // record 5 was blocked on S1; the rewrite makes it an allowed request
            rewritten.add(
                    e.seq() == 5
                            ? r.toBuilder()
                                    .outcome(Outcome.ALLOWED)
                                    .decision("ALLOW", "default")
                                    .httpStatus(200)
                                    .build()
                            : r);
        }

        recomputeChainFrom(acme.get(3).head(), rewritten);

        assertThat(new ChainVerifier(store).verify("acme").intact())
                .as("a hash chain alone cannot see it")
                .isTrue();
        assertThat(((AuditRecord) store.query(AuditQuery.builder()
                                        .requestId("r-acme-5")
                                        .build())
                                .entries()
                                .get(0)
                                .entry())
                        .outcome())
                .isEqualTo(Outcome.ALLOWED);
        ChainVerifier.BrokenLink broken =
                signedVerifier().verify("acme").firstBroken().orElseThrow();
        assertThat(broken.seq()).isEqualTo(20);
        assertThat(broken.reason())
                .contains("not the one the signed checkpoint")
                .contains("recomputed");
    }

    @Test
    void deletingAMiddleRecordAndRenumberingIsCaughtByTheSignedCheckpoint() throws Exception {
        List<ChainedEntry> acme = checkpointedChains(signingLog(store));
        List<AuditRecord> withoutSeven = new ArrayList<>();
        for (ChainedEntry e : acme.subList(7, acme.size())) {
            withoutSeven.add((AuditRecord) e.entry());
        }

        recomputeChainFrom(acme.get(5).head(), withoutSeven);

        assertThat(new ChainVerifier(store).verify("acme").intact())
                .as("a hash chain alone cannot see it")
                .isTrue();
        assertThat(store.query(AuditQuery.builder().requestId("r-acme-7").build())
                        .entries())
                .isEmpty();
        ChainVerifier.BrokenLink broken =
                signedVerifier().verify("acme").firstBroken().orElseThrow();
        assertThat(broken.reason()).contains("ends at seq 19").contains("vouches for seq 20");
    }

    @Test
    void aCheckpointNotSignedByTheOperatorKeyIsReportedAndVouchesForNothing() throws Exception {
        checkpointedChains(signingLog(store));
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq > 17");
        // the attacker signs a checkpoint of the truncated state with a key of their own
        OperatorKey attacker = OperatorKey.generate();
        store.appendCheckpoint(HeadCheckpoint.sign(
                attacker,
                "gw-1",
                Instant.now().plusSeconds(60),
                List.of(
                        new ChainHead(
                                "acme",
                                "gw-1",
                                17,
                                store.heads("gw-1").get("acme").hash()),
                        store.heads("gw-1").get("globex"))));

        List<ChainVerifier.Report> reports = signedVerifier().verifyAll();

        assertThat(reports).filteredOn(r -> !r.intact()).singleElement().satisfies(r -> assertThat(
                        r.firstBroken().orElseThrow().reason())
                .contains("instance gw-1 is not signed by the operator key"));
        assertThat(new ChainVerifier(store, attacker.publicKey()).verifyAll()).allMatch(ChainVerifier.Report::intact);
    }

    @Test
    void aLogRestartedOverATruncatedChainSignsNothingThatWouldHideIt() throws Exception {
        AuditLog first = signingLog(store);
        checkpointedChains(first);
        first.close();
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq > 17");

        AuditLog restarted = signingLog(store);
        appendAll(restarted, records("acme", 100, 103));

        assertThat(restarted.checkpointsWithheld())
                .hasValueSatisfying(why -> assertThat(why).contains("acme@gw-1").contains("vouches for seq 20"));
        assertThat(restarted.checkpoint().join()).isEmpty();
        restarted.close();
        assertThat(signedVerifier().verify("acme").intact()).isFalse();
    }

    @Test
    void aClosingLogSignsItsFinalHeadsAndAnUntamperedRestartContinuesSigning() throws Exception {
        AuditLog first = signingLog(store);
        appendAll(first, records("acme", 1, 4));
        first.close();
        assertThat(store.latestCheckpoints().get("gw-1").head("acme"))
                .map(ChainHead::seq)
                .contains(3L);

        AuditLog restarted = signingLog(store);
        appendAll(restarted, records("acme", 4, 6));
        assertThat(restarted.checkpointsWithheld()).isEmpty();
        assertThat(restarted.checkpoint().join())
                .map(c -> c.head("acme").orElseThrow().seq())
                .contains(5L);
        assertThat(signedVerifier().verifyAll()).singleElement().matches(ChainVerifier.Report::intact);
    }

    @Test
    void theVerifyCommandSeesTruncationWithThePublicKeyAndKeptCheckpointsOutliveTheStoresOwn() throws Exception {
        AuditLog l = signingLog(store);
        checkpointedChains(l);
        HeadCheckpoint kept = store.latestCheckpoints().get("gw-1");
        Path publicKey = dir.resolve("operator.pub");
        Files.writeString(publicKey, operatorKey.publicKeyText() + "\n");
        Path keptFile = dir.resolve("kept-checkpoints.jsonl");
        Files.writeString(
                keptFile, CanonicalJson.write(Map.of("body", kept.body(), "signature", kept.signature())) + "\n");
        String[] signed = {location, "--public-key", publicKey.toString()};
        assertThat(VerifyAuditCommand.run(signed)).isZero();

        // the attacker truncates, then deletes every checkpoint so that nothing in the store vouches for the end
        sql(location, "DELETE FROM audit_category WHERE tenant = 'acme' AND seq > 18");
        sql(location, "DELETE FROM audit_entry WHERE tenant = 'acme' AND seq > 18");
        sql(location, "DELETE FROM audit_head_checkpoint");

        assertThat(VerifyAuditCommand.run(new String[] {location})).isZero();
        assertThat(VerifyAuditCommand.run(signed)).isZero();
        assertThat(VerifyAuditCommand.run(new String[] {
                    location, "--public-key", publicKey.toString(), "--checkpoints", keptFile.toString()
                }))
                .isEqualTo(1);
        assertThat(VerifyAuditCommand.run(new String[] {location, "--checkpoints", keptFile.toString()}))
                .isEqualTo(2);
    }

    // --- streams: an opening record before the first byte, an ending even when the process died ---------------

    private static AuditRecord opening(String tenant, String requestId) {
        return Records.record(tenant, requestId, Records.T0, 1).toBuilder()
                .outcome(Outcome.STREAM_STARTED)
                .decision("allow", "default")
                .streaming(true, 0)
                .httpStatus(200)
                .build();
    }

    @Test
    void streamsOpenedButNeverEndedAreRecordedAsInterruptedWhenTheirWriterStartsAgain() throws Exception {
        AuditLogConfig gw1 = config().withInstanceId("gw-1");
        AuditLog first = log(store, gw1);
        appendAll(first, List.of(opening("acme", "s-cut"), opening("acme", "s-done"), opening("globex", "s-cut-2")));
        appendAll(
                first,
                List.of(opening("acme", "s-done").toBuilder()
                        .outcome(Outcome.ALLOWED)
                        .streaming(true, 42)
                        .build()));
        // another replica's stream is still running: not this writer's to end
        appendAll(log(store, config().withInstanceId("gw-2")), List.of(opening("acme", "s-elsewhere")));
        first.close();

        assertThat(store.unfinishedStreams("gw-1"))
                .extracting(e -> e.entry().requestId())
                .containsExactly("s-cut", "s-cut-2");
        AuditLog restarted = log(store, gw1);
        restarted.close();

        AuditRecord cut =
                everything(AuditQuery.builder().requestId("s-cut").build()).get(0);
        assertThat(everything(AuditQuery.builder().requestId("s-cut").build())).hasSize(1);
        assertThat(cut.outcome()).isEqualTo(Outcome.INTERRUPTED);
        assertThat(cut.rule()).contains("interrupted").contains("seq 1 of chain acme@gw-1");
        assertThat(cut.promptSha256()).isEqualTo(opening("acme", "s-cut").promptSha256());
        assertThat(everything(AuditQuery.builder().requestId("s-cut-2").build()))
                .extracting(AuditRecord::outcome)
                .containsExactly(Outcome.INTERRUPTED);
        assertThat(everything(AuditQuery.builder().requestId("s-done").build()))
                .extracting(AuditRecord::outcome)
                .containsExactly(Outcome.ALLOWED);
        assertThat(everything(AuditQuery.builder().requestId("s-elsewhere").build()))
                .isEmpty();
        // the openings stay in their chains, found when asked for by outcome
        assertThat(everything(
                        AuditQuery.builder().outcome(Outcome.STREAM_STARTED).build()))
                .extracting(AuditRecord::requestId)
                .containsExactlyInAnyOrder("s-cut", "s-done", "s-cut-2", "s-elsewhere");
        assertThat(store.unfinishedStreams("gw-1")).isEmpty();
        assertThat(new ChainVerifier(store).verifyAll()).allMatch(ChainVerifier.Report::intact);

        log(store, gw1).close();
        assertThat(everything(AuditQuery.builder().requestId("s-cut").build())).hasSize(1);
    }

    @Test
    void headsAreCheckpointedAtTheIntervalOnceTheyMoved() throws Exception {
        FlakyStore watched = new FlakyStore(store);
        AuditLog l = log(
                watched,
                config().withInstanceId("gw-1"),
                new AuditLog.Checkpoints(operatorKey, Duration.ofMillis(100)));

        List<ChainedEntry> acme = appendAll(l, records("acme", 1, 4));
        HeadCheckpoint taken = watched.nextCheckpoint.get(30, TimeUnit.SECONDS);

        assertThat(taken.signedBy(operatorKey.publicKey())).isTrue();
        // whichever batch the interval came round after: one of the heads the chain really had
        assertThat(acme)
                .extracting(ChainedEntry::head)
                .contains(taken.head("acme").orElseThrow());
        assertThat(store.latestCheckpoints().get("gw-1").body()).isEqualTo(taken.body());
    }
}
