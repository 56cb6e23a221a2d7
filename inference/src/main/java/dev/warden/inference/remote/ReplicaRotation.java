package dev.warden.inference.remote;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round-robin over the replicas that are in rotation. A request that already tried some replicas gets an untried
 * one when there is one, else a tried one again (a single replica can still be retried).
 */
final class ReplicaRotation {

    private final Replica[] replicas;
    private final AtomicInteger cursor = new AtomicInteger();

    ReplicaRotation(List<Replica> replicas) {
        this.replicas = replicas.toArray(Replica[]::new);
    }

    /** The next replica to call, avoiding those in {@code tried} (a bit per replica index); null when none is in rotation. */
    Replica next(long tried) {
        int n = replicas.length;
        int start = n == 1 ? 0 : Math.floorMod(cursor.getAndIncrement(), n);
        Replica again = null;
        for (int i = 0; i < n; i++) {
            Replica r = replicas[(start + i) % n];
            if (!r.available()) {
                continue;
            }
            if ((tried & (1L << r.index())) == 0) {
                return r;
            }
            if (again == null) {
                again = r;
            }
        }
        return again;
    }
}
