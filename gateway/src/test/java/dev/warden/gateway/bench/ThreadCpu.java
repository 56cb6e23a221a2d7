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

    private final Map<Long, Long> cpuByThread = new HashMap<>();
    private final Map<Long, String> groupByThread = new HashMap<>();

    static ThreadCpu snapshot() {
        ThreadCpu s = new ThreadCpu();
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                s.cpuByThread.put(info.getThreadId(), cpu);
                s.groupByThread.put(info.getThreadId(), group(info.getThreadName()));
            }
        }
        return s;
    }

    /** Microseconds of CPU per request, by thread group, spent since {@code before}. */
    Map<String, Double> microsPerRequestSince(ThreadCpu before, int requests) {
        Map<String, Double> out = new TreeMap<>();
        cpuByThread.forEach((id, cpu) -> {
            long delta = cpu - before.cpuByThread.getOrDefault(id, 0L);
            out.merge(groupByThread.get(id), delta / 1e3 / requests, Double::sum);
        });
        out.values().removeIf(v -> v < 0.5);
        return out;
    }

    private static String group(String name) {
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
    }
}
