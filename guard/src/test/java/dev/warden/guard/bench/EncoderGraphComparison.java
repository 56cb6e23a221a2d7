package dev.warden.guard.bench;

import dev.warden.guard.embedded.EmbeddedClassifiers;
import dev.warden.guard.embedded.EncodingQueue;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.embedded.SharedEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Other encoder graphs (e.g. the fused int8 graph of {@code guard/tools/fuse-encoder.sh}) against the shipped one,
 * in the same run so that the load of a shared host falls on all of them alike: each variant (graph x ONNX threads)
 * runs ten fresh ~211-token prompts in turn, round after round. Per variant it prints the embedded input stage's
 * p50 / p90 / p99 (both heads, one shared pass, through the encoder queue as in the gateway), the process CPU per
 * stage call (median over the rounds of each burst's mean; Linux only), and the CPU of one encoder pass on one thread
 * measured on the calling thread.
 * <p>
 * The heads are the shipped ones relabelled with each graph's encoder id: their scores on another graph mean nothing,
 * but their cost is the same, and scores are not what is measured here.
 */
final class EncoderGraphComparison {

    private static final int BURST = 10;

    private record Variant(String name, int threads, EmbeddedClassifiers stage, long[] wall, long[] cpu) {}

    static void run(List<Path> models, int[] threadCounts, int iterations) throws IOException {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Math.max(1, iterations / BURST);
        int n = rounds * BURST;
        List<String> names = new ArrayList<>();
        names.add("shipped " + SentenceEncoder.class.getSimpleName() + " graph");
        models.forEach(m -> names.add(m.toString()));

        // one encoder pass on the calling thread, one ONNX thread: CPU time without waiting for a core
        List<SentenceEncoder> single = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        Path heads = Files.createTempDirectory("warden-bench-heads");
        try {
            for (int g = 0; g < names.size(); g++) {
                single.add(encoder(g == 0 ? null : models.get(g - 1), 1));
                for (int t : threadCounts) {
                    SentenceEncoder e = encoder(g == 0 ? null : models.get(g - 1), t);
                    Path dir = Files.createDirectories(heads.resolve(g + "-" + t));
                    relabelShippedHeads(dir, e.id());
                    SharedEncoder shared = new SharedEncoder(e, EncodingQueue.Settings.defaults(), 4096);
                    variants.add(new Variant(
                            names.get(g), t, new EmbeddedClassifiers(shared, dir), new long[n], new long[rounds]));
                }
            }
            String base = EmbeddedStageBenchmark.prompt(single.get(0));
            int tokens = single.get(0).countTokens(base);
            for (int i = 0; i < 20; i++) {
                for (SentenceEncoder e : single) {
                    e.encode(base + " #warmup" + i);
                }
                for (Variant v : variants) {
                    EmbeddedStageBenchmark.once(v.stage(), base + " #warmup" + i);
                }
            }
            long[][] pass = new long[single.size()][n];
            double loadMin = Double.MAX_VALUE;
            double loadMax = 0;
            int k = 0;
            for (int r = 0; r < rounds; r++) {
                double load = os.getSystemLoadAverage();
                loadMin = Math.min(loadMin, load);
                loadMax = Math.max(loadMax, load);
                for (int g = 0; g < single.size(); g++) {
                    for (int i = 0; i < BURST; i++) {
                        long c0 = mx.getCurrentThreadCpuTime();
                        single.get((g + r) % single.size()).encode(base + " #p" + (k + i));
                        pass[(g + r) % single.size()][k + i] = mx.getCurrentThreadCpuTime() - c0;
                    }
                }
                for (int j = 0; j < variants.size(); j++) {
                    Variant v = variants.get((j + r) % variants.size());
                    long c0 = processCpuNanos();
                    for (int i = 0; i < BURST; i++) {
                        long w0 = System.nanoTime();
                        EmbeddedStageBenchmark.once(v.stage(), base + " #" + (k + i));
                        v.wall()[k + i] = System.nanoTime() - w0;
                    }
                    v.cpu()[r] = (processCpuNanos() - c0) / BURST;
                }
                k += BURST;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d-token prompt, %d rounds of %d per variant, load average %.2f to %.2f during the run, %d cores%n",
                    tokens,
                    rounds,
                    BURST,
                    loadMin,
                    loadMax,
                    Runtime.getRuntime().availableProcessors());
            for (int g = 0; g < single.size(); g++) {
                long[] p = pass[g];
                Arrays.sort(p);
                System.out.printf(
                        Locale.ROOT,
                        "encoder pass, 1 thread, CPU p50 %.1f ms p90 %.1f ms: %s (id %s)%n",
                        p[n / 2] / 1e6,
                        p[n * 9 / 10] / 1e6,
                        names.get(g),
                        single.get(g).id());
            }
            for (Variant v : variants) {
                Arrays.sort(v.wall());
                Arrays.sort(v.cpu());
                System.out.printf(
                        Locale.ROOT,
                        "stage, %d thread(s): p50 %.1f / p90 %.1f / p99 %.1f ms, process CPU per call %.1f ms: %s%n",
                        v.threads(),
                        v.wall()[n / 2] / 1e6,
                        v.wall()[n * 9 / 10] / 1e6,
                        v.wall()[n * 99 / 100] / 1e6,
                        v.cpu()[rounds / 2] / 1e6,
                        v.name());
            }
        } finally {
            single.forEach(SentenceEncoder::close);
            variants.forEach(v -> v.stage().close());
        }
    }

    /**
     * CPU time of all the process's threads in nanoseconds, ONNX Runtime's native threads included (JMX sees only
     * Java threads, and the process total it reports ticks in 10 ms steps): the sum of {@code /proc/self/task/}*
     * {@code /schedstat}'s run time.
     */
    private static long processCpuNanos() throws IOException {
        long sum = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                } catch (java.nio.file.NoSuchFileException ended) {
                    // a thread that ended meanwhile
                }
            }
        }
        return sum;
    }

    private static SentenceEncoder encoder(Path model, int threads) {
        return model == null ? new SentenceEncoder(threads) : SentenceEncoder.fromModelFile(model, threads, false);
    }

    /** The shipped head files with {@code metadata.encoderId} set to {@code encoderId}, written into {@code dir}. */
    static void relabelShippedHeads(Path dir, String encoderId) throws IOException {
        for (String name : List.of("attack-head.json", "hazard-head.json")) {
            try (InputStream in =
                    EncoderGraphComparison.class.getResourceAsStream("/dev/warden/guard/embedded/" + name)) {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Files.writeString(
                        dir.resolve(name),
                        json.replaceFirst("\"encoderId\"\\s*:\\s*\"[^\"]*\"", "\"encoderId\":\"" + encoderId + "\""));
            }
        }
    }

    private EncoderGraphComparison() {}
}
