package dev.warden.gateway.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per thread group between two snapshots, so that a benchmark can say how much CPU the gateway itself
 * spends per request when the load generator and the upstream share its JVM.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final String OUTSIDE = "(JIT, GC, exited threads)";

    private final Map<Long, Long> cpuByThread = new HashMap<>();
    /** Bytes allocated per thread: unlike CPU time, not inflated when other processes share the cores. */
    private final Map<Long, Long> allocByThread = new HashMap<>();

    private long processCpu;
    private final Map<Long, String> groupByThread = new HashMap<>();

    static ThreadCpu snapshot() {
        ThreadCpu s = new ThreadCpu();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            s.processCpu = os.getProcessCpuTime();
        }
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                s.cpuByThread.put(info.getThreadId(), cpu);
                if (THREADS instanceof com.sun.management.ThreadMXBean sun) {
                    s.allocByThread.put(info.getThreadId(), sun.getThreadAllocatedBytes(info.getThreadId()));
                }
                s.groupByThread.put(info.getThreadId(), group(info.getThreadName()));
            }
        }
        return s;
    }

    /** Bytes allocated per request, by thread group, since {@code before}. */
    Map<String, Double> bytesPerRequestSince(ThreadCpu before, int requests) {
        Map<String, Double> out = new TreeMap<>();
        for (var e : allocByThread.entrySet()) {
            long delta = e.getValue() - before.allocByThread.getOrDefault(e.getKey(), 0L);
            out.merge(groupByThread.get(e.getKey()), (double) delta / requests, Double::sum);
        }
        out.values().removeIf(v -> v < 1);
        return out;
    }

    /** Microseconds of CPU per request, by thread group, spent since {@code before}. */
    Map<String, Double> microsPerRequestSince(ThreadCpu before, int requests) {
        Map<String, Double> out = new TreeMap<>();
        nanosSince(before).forEach((group, nanos) -> out.put(group, nanos / 1e3 / requests));
        out.values().removeIf(v -> v < 0.5);
        return out;
    }

    /**
     * Nanoseconds of CPU by thread group spent since {@code before}, to be summed over several intervals; the
     * process's CPU that no live Java thread accounts for (compiler and GC threads are not listed) is a group too.
     */
    Map<String, Long> nanosSince(ThreadCpu before) {
        Map<String, Long> out = new TreeMap<>();
        long threads = 0;
        for (var e : cpuByThread.entrySet()) {
            long delta = e.getValue() - before.cpuByThread.getOrDefault(e.getKey(), 0L);
            threads += delta;
            out.merge(groupByThread.get(e.getKey()), delta, Long::sum);
        }
        if (processCpu > 0 && before.processCpu > 0) {
            out.put(OUTSIDE, Math.max(0, processCpu - before.processCpu - threads));
        }
        return out;
    }

    private static String group(String name) {
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
    }
}
