package dev.warden.policy.audit;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link SigkillDurabilityTest}: appends records from 8 threads
 * forever and prints {@code ACK <request id>} for each one whose future completed, until it is killed.
 */
public final class DurabilityChild {

    public static void main(String[] args) throws Exception {
        AuditStore store = AuditStores.open(args[0]);
        AuditLog log = new AuditLog(store, AuditLogConfig.defaults().withSpillFile(Path.of(args[1])));
        AtomicInteger next = new AtomicInteger();
        System.out.println("READY");
        System.out.flush();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                while (true) {
                    int i = next.incrementAndGet();
                    AuditRecord r = Records.record("tenant-" + (i % 3), "kill-" + i, Instant.now(), i);
                    log.append(r).join();
                    synchronized (System.out) {
                        System.out.println("ACK " + r.requestId());
                        System.out.flush();
                    }
                }
            });
            threads[t].start();
        }
        threads[0].join();
    }
}
