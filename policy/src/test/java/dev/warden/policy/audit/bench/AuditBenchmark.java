package dev.warden.policy.audit.bench;

import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.BucketCount;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.CountKey;
import dev.warden.policy.audit.HeadCheckpoint;
import dev.warden.policy.audit.PostgresAuditStore;
import dev.warden.policy.audit.Records;
import dev.warden.policy.audit.SqliteAuditStore;
import dev.warden.policy.audit.StoredRow;
import dev.warden.policy.audit.TimeBucket;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Appends per second and append latency (enqueue to durable) at concurrency 8, closed loop: each thread appends a
 * realistic record and waits for its future before the next. Same run, same JVM, for a no-op store (the cost of
 * the log itself: sealing, hashing, queueing), SQLite (synchronous FULL and NORMAL, WAL) and PostgreSQL (embedded
 * server from Maven artifacts, synchronous_commit=on, fsync on).
 * <p>
 * Run: {@code ./mvnw -q -o -pl policy -am test-compile} then
 * {@code java -cp "policy/target/test-classes:policy/target/classes:$(cat cp.txt)" dev.warden.policy.audit.bench.AuditBenchmark [seconds]}
 * with {@code cp.txt} from {@code ./mvnw -q -o -pl policy dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class AuditBenchmark {

    private static final int THREADS = 8;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("audit-bench");
        List<String> rows = new ArrayList<>();
        rows.add(String.format(
                "%-22s %12s %10s %10s %10s %12s", "store", "appends/s", "p50 ms", "p99 ms", "max ms", "batch mean"));
        rows.add(run("no-op", NoOpStore::new, dir.resolve("noop-spill.jsonl"), seconds));
        rows.add(run(
                "sqlite (sync FULL)",
                () -> new SqliteAuditStore(dir.resolve("full.db"), SqliteAuditStore.Sync.FULL),
                dir.resolve("full-spill.jsonl"),
                seconds));
        rows.add(run(
                "sqlite (sync NORMAL)",
                () -> new SqliteAuditStore(dir.resolve("normal.db"), SqliteAuditStore.Sync.NORMAL),
                dir.resolve("normal-spill.jsonl"),
                seconds));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .start()) {
            rows.add(run(
                    "postgresql 14 (local)",
                    () -> new PostgresAuditStore(pg.getJdbcUrl("postgres", "postgres"), null, null),
                    dir.resolve("pg-spill.jsonl"),
                    seconds));
        }
        System.out.println();
        System.out.printf(
                "audit append, %d threads, closed loop, %d s per store after a %d s warm-up, %d cores%n",
                THREADS, seconds, Math.max(2, seconds / 3), Runtime.getRuntime().availableProcessors());
        rows.forEach(System.out::println);
    }

    private static String run(String name, Supplier<AuditStore> stores, Path spill, int seconds) throws Exception {
        try (AuditStore store = stores.get();
                AuditLog log = new AuditLog(store, AuditLogConfig.defaults().withSpillFile(spill))) {
            load(log, Math.max(2, seconds / 3) * 1000L, null);
            long committedBefore = log.stats().committed();
            long batchesBefore = log.stats().batches();
            List<long[]> perThread = new ArrayList<>();
            long elapsedNanos = load(log, seconds * 1000L, perThread);
            long[] all = perThread.stream().flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            double batch = (double) (log.stats().committed() - committedBefore)
                    / Math.max(1, log.stats().batches() - batchesBefore);
            if (log.stats().lost() + log.stats().rejected() + log.stats().spilled() > 0) {
                throw new IllegalStateException(name + ": appends failed or spilled: " + log.stats());
            }
            return String.format(
                    "%-22s %12.0f %10.2f %10.2f %10.2f %12.1f",
                    name,
                    all.length / (elapsedNanos / 1e9),
                    all[all.length / 2] / 1e6,
                    all[(int) (all.length * 0.99)] / 1e6,
                    all[all.length - 1] / 1e6,
                    batch);
        }
    }

    /** Runs the closed loop for {@code millis}; records latencies in nanoseconds when {@code sink} is not null. */
    private static long load(AuditLog log, long millis, List<long[]> sink) throws InterruptedException {
        AtomicInteger ids = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        Thread[] threads = new Thread[THREADS];
        long[][] results = new long[THREADS][];
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads[t] = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    int i = ids.incrementAndGet();
                    AuditRecord r = Records.record("tenant-" + (i % 4), "b-" + thread + "-" + i, Instant.now(), i);
                    long t0 = System.nanoTime();
                    log.append(r).join();
                    long took = System.nanoTime() - t0;
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = took;
                }
                results[thread] = Arrays.copyOf(lat, n);
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        if (sink != null) {
            sink.addAll(Arrays.asList(results));
        }
        return elapsed;
    }

    /** Takes every batch and forgets it: what the log costs without any I/O. */
    private static final class NoOpStore implements AuditStore {
        @Override
        public void append(List<ChainedEntry> entries) {}

        @Override
        public Map<String, ChainHead> heads(String instance) {
            return Map.of();
        }

        @Override
        public Optional<ChainHead> anchor(ChainId chain) {
            return Optional.empty();
        }

        @Override
        public List<String> tenants() {
            return List.of();
        }

        @Override
        public List<ChainId> chains() {
            return List.of();
        }

        @Override
        public void scanChain(ChainId chain, long afterSeq, Consumer<StoredRow> sink) {}

        @Override
        public AuditPage query(AuditQuery query) {
            return new AuditPage(List.of(), Optional.empty());
        }

        @Override
        public List<BucketCount> count(AuditQuery f, TimeBucket b, CountKey k) {
            return List.of();
        }

        @Override
        public Optional<ChainHead> lastBefore(ChainId chain, Instant cutoff) {
            return Optional.empty();
        }

        @Override
        public long deleteThrough(ChainHead anchor) {
            return 0;
        }

        @Override
        public List<ChainedEntry> unfinishedStreams(String instance) {
            return List.of();
        }

        @Override
        public void appendCheckpoint(HeadCheckpoint checkpoint) {}

        @Override
        public Map<String, HeadCheckpoint> latestCheckpoints() {
            return Map.of();
        }

        @Override
        public long eraseContent(ChainId c, java.time.Instant b) {
            return 0;
        }

        @Override
        public void savePolicyVersion(dev.warden.policy.audit.PolicyVersion v) {}

        @Override
        public java.util.Optional<dev.warden.policy.audit.PolicyVersion> policyVersion(String d) {
            return java.util.Optional.empty();
        }

        @Override
        public List<dev.warden.policy.audit.PolicyVersion> policyVersions() {
            return List.of();
        }

        @Override
        public void close() {}
    }
}
