package dev.warden.gateway.bench;

import java.util.Arrays;

/** Latencies of one measured run, and the figures the README reports from them. */
final class LatencyRecorder {

    private long[] nanos = new long[1024];
    private int count;
    private long startedAt;
    private long endedAt;

    synchronized void record(long latencyNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = latencyNanos;
    }

    void start() {
        startedAt = System.nanoTime();
    }

    void stop() {
        endedAt = System.nanoTime();
    }

    synchronized double percentileMillis(double p) {
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
    }

    synchronized double requestsPerSecond() {
        return count / ((endedAt - startedAt) / 1e9);
    }

    synchronized int count() {
        return count;
    }

    synchronized void merge(LatencyRecorder other) {
        for (int i = 0; i < other.count; i++) {
            record(other.nanos[i]);
        }
    }
}
