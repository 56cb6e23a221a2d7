package dev.warden.guard.bench;

import dev.warden.guard.GuardInput;
import dev.warden.guard.embedded.EmbeddedClassifiers;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.embedded.SharedEncoder;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Latency of the embedded input stage: both heads on one 200-token user prompt, one shared encoder pass. Each
 * iteration uses a fresh prompt (a counter is appended) so the encoding cache never answers; the figure is the
 * cost a new prompt pays. Prints p50 / p90 / p99 for several encoder configurations (ONNX intra-op threads).
 * Run: {@code .ci/bench guard dev.warden.guard.bench.EmbeddedStageBenchmark iterations=300}. With
 * {@code models=a.onnx,b.onnx} it instead compares those encoder graphs with the shipped one in one run, alternating
 * ({@link EncoderGraphComparison}; {@code threads=1,2} picks the ONNX thread counts).
 */
public final class EmbeddedStageBenchmark {

    public static void main(String[] args) throws java.io.IOException {
        int iterations = 300;
        List<java.nio.file.Path> models = new java.util.ArrayList<>();
        int[] threadCounts = {1, 2};
        for (String a : args) {
            if (a.startsWith("iterations=")) {
                iterations = Integer.parseInt(a.substring("iterations=".length()));
            } else if (a.startsWith("models=")) {
                for (String m : a.substring("models=".length()).split(",")) {
                    models.add(java.nio.file.Path.of(m));
                }
            } else if (a.startsWith("threads=")) {
                threadCounts = Arrays.stream(a.substring("threads=".length()).split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
            } else {
                throw new IllegalArgumentException("unknown option " + a + " (iterations=, models=, threads=)");
            }
        }
        if (!models.isEmpty()) {
            EncoderGraphComparison.run(models, threadCounts, iterations);
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "cores: %d, load average at start: %.2f%n",
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        // CPU time of one encoder pass on the calling thread (1 intra-op thread runs on the caller): what the
        // stage costs without waiting for a core, which is what a busy shared host hides in wall-clock figures.
        try (SentenceEncoder encoder = new SentenceEncoder(1)) {
            String base = prompt(encoder);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 30; i++) {
                encoder.encode(base + " #warmup" + i);
            }
            long[] cpu = new long[iterations];
            long[] wall = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                encoder.encode(base + " #" + i);
                wall[i] = System.nanoTime() - w0;
                cpu[i] = mx.getCurrentThreadCpuTime() - c0;
            }
            Arrays.sort(cpu);
            Arrays.sort(wall);
            System.out.printf(
                    Locale.ROOT,
                    "encoder pass alone, 1 thread: CPU time p50 %.1f ms p99 %.1f ms; wall p50 %.1f ms p99 %.1f ms%n",
                    cpu[iterations / 2] / 1e6,
                    cpu[iterations * 99 / 100] / 1e6,
                    wall[iterations / 2] / 1e6,
                    wall[iterations * 99 / 100] / 1e6);
        }
        // 1 thread; 2 threads that sleep between operators; 2 threads that spin within a run only
        for (int variant = 0; variant < 3; variant++) {
            int threads = variant == 0 ? 1 : 2;
            boolean spin = variant == 2;
            try (EmbeddedClassifiers c = new EmbeddedClassifiers(new SharedEncoder(
                    new SentenceEncoder(threads, spin),
                    dev.warden.guard.embedded.EncodingQueue.Settings.defaults(),
                    4096))) {
                String base = prompt(c.encoder().encoder());
                int tokens = c.encoder().encoder().countTokens(base);
                for (int i = 0; i < 30; i++) {
                    once(c, base + " #warmup" + i);
                }
                long[] ns = new long[iterations];
                for (int i = 0; i < iterations; i++) {
                    ns[i] = once(c, base + " #" + i);
                }
                Arrays.sort(ns);
                System.out.printf(
                        Locale.ROOT,
                        "embedded input stage, %d-token prompt, intra-op threads %d%s: p50 %.1f ms, "
                                + "p90 %.1f ms, p99 %.1f ms (n=%d, model runs %d)%n",
                        tokens,
                        threads,
                        spin ? " (spinning within a run)" : "",
                        ns[iterations / 2] / 1e6,
                        ns[iterations * 9 / 10] / 1e6,
                        ns[iterations * 99 / 100] / 1e6,
                        iterations,
                        c.encoder().modelRuns());
            }
        }
    }

    static long once(EmbeddedClassifiers c, String text) {
        GuardInput input = GuardInput.prompt(
                List.of(ChatMessage.of(Role.SYSTEM, "You are a helpful assistant."), ChatMessage.of(Role.USER, text)));
        long start = System.nanoTime();
        Mono.zip(c.promptAttack().classify(input), c.hazard().classify(input)).block();
        return System.nanoTime() - start;
    }

    /** A realistic ~200-token request (word pieces, without [CLS]/[SEP]). */
    static String prompt(SentenceEncoder encoder) {
        return prompt(encoder, 195);
    }

    /** A realistic request of at least {@code minTokens} word pieces: logistics notes to summarise. */
    public static String prompt(SentenceEncoder encoder, int minTokens) {
        String[] sentences = {
            "I am preparing the quarterly operations review for our logistics team and need your help.",
            "Please read the notes below and write a concise summary for the leadership meeting on Thursday.",
            "Warehouse throughput rose eleven percent after we moved picking to two shifts, but overtime costs grew.",
            "Carrier delays in the northern region caused three missed delivery windows for our largest customer.",
            "We piloted route optimisation software in two depots and saw fuel use drop by about six percent.",
            "Staff turnover remains high among seasonal workers, and onboarding takes longer than planned.",
            "The budget for new forklifts was approved, with delivery expected before the end of next month.",
            "Customer satisfaction scores were stable overall, though complaints about tracking updates increased.",
            "List the three most important risks, suggest one action for each, and keep the tone neutral.",
            "Finally, propose two metrics we should track next quarter and explain briefly why they matter."
        };
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (encoder.countTokens(sb.toString()) < minTokens) {
            sb.append(sentences[i++ % sentences.length]).append(' ');
        }
        return sb.toString().trim();
    }

    private EmbeddedStageBenchmark() {}
}
