package dev.warden.policy.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs many reservations from many threads released at the same instant. */
final class Contention {

    static final int THREADS = 32;

    private Contention() {}

    /** {@code THREADS} threads each make {@code perThread} attempts; returns every reservation. */
    static List<Reservation> run(int perThread, IntFunction<Reservation> attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Reservation>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<List<Reservation>> task = () -> {
                    start.await();
                    List<Reservation> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(attempt.apply(thread));
                    }
                    return mine;
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Reservation> all = new ArrayList<>();
            for (Future<List<Reservation>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    static long admitted(List<Reservation> reservations) {
        return reservations.stream().filter(Reservation::admitted).count();
    }
}
