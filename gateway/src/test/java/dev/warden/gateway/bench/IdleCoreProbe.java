package dev.warden.gateway.bench;

import java.util.Arrays;
import java.util.Random;

/**
 * Not the gateway: the machine. How long one fixed piece of work takes right after its thread slept, against the
 * same work done back to back, and after spinning instead of sleeping for as long. The work is {@code -Dprobe.reads}
 * (20,000) dependent reads spread over {@code -Dprobe.kb} (512) KB of memory, a working set that fits a core's L2
 * cache. On a host that keeps a sleeping core's caches the figures after a sleep equal the back-to-back one; on a
 * virtual machine whose idle vCPUs halt, and whose host runs other work on the core meanwhile, they do not, and every
 * request that follows an idle moment pays the difference on each step of its path. Explains why
 * {@link StreamStartBenchmark} (one request every ~450 ms) finds the gateway's path slower than back to back
 * ({@code -Dbench.gapMs=0}); see docs/BENCHMARKS.md. Run it with nothing else on the machine:
 * {@code .ci/bench gateway dev.warden.gateway.bench.IdleCoreProbe}.
 */
public final class IdleCoreProbe {

    private static final long[] PAUSES_MS = {2, 20, 450};

    private static int[] memory;
    private static int sink;

    private IdleCoreProbe() {}

    public static void main(String[] args) throws Exception {
        int kb = Integer.getInteger("probe.kb", 512);
        int reads = Integer.getInteger("probe.reads", 20_000);
        memory = new int[Integer.highestOneBit(kb * 256)];
        Random random = new Random(1);
        for (int i = 0; i < memory.length; i++) {
            memory[i] = random.nextInt();
        }
        for (int i = 0; i < 20_000; i++) {
            work(reads); // compiled and in the caches before anything is measured
        }
        System.out.printf("%d dependent reads over %d KB; microseconds, p50 / p90%n", reads, memory.length / 256);
        System.out.println("| before the work | p50 | p90 |");
        System.out.println("|---|---|---|");
        report("the same work (back to back)", reads, 0, false, 200);
        for (long pause : PAUSES_MS) {
            report("a sleep of " + pause + " ms", reads, pause, false, pause >= 450 ? 40 : 200);
            report("a spin of " + pause + " ms", reads, pause, true, pause >= 450 ? 40 : 200);
        }
    }

    private static void report(String name, int reads, long pauseMs, boolean spin, int samples)
            throws InterruptedException {
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            if (pauseMs == 0) {
                work(reads);
            } else if (spin) {
                long end = System.nanoTime() + pauseMs * 1_000_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.sleep(pauseMs);
            }
            nanos[i] = work(reads);
        }
        Arrays.sort(nanos);
        System.out.printf("| %s | %.0f | %.0f |%n", name, nanos[samples / 2] / 1e3, nanos[samples * 9 / 10] / 1e3);
    }

    /** Reads that depend on each other, so that each waits for its memory access; returns the time taken. */
    private static long work(int reads) {
        long start = System.nanoTime();
        int x = 0;
        int mask = memory.length - 1;
        for (int i = 0; i < reads; i++) {
            x = memory[(x + i * 7919) & mask] + i;
        }
        sink += x;
        return System.nanoTime() - start;
    }
}
