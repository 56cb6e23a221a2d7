package dev.warden.policy.ratelimit;

import dev.warden.policy.ratelimit.RateLimiter.Draw;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Concurrency-slot releases that Redis never confirmed, kept to be sent again once it answers.
 * <p>
 * Slots never refill on their own. A release that fails (Redis down, or stalled past the Lettuce backstop) would
 * leave the tenant one slot short until the bucket expires after its TTL of inactivity, and a busy tenant never
 * lets it expire. Bucket4j updates a Redis bucket by compare-and-swap after reading it, so a release whose read was
 * never answered was never applied, and sending it again is right. In the rare case that the swap itself was in
 * flight when the stall began, it lands twice; Bucket4j caps the bucket at its capacity, so the worst case is one
 * more request in flight than the limit while the others run, never a permanent gap. Takes are not replayed the
 * other way: an unanswered take was, the same way, almost always never applied.
 * The queue is bounded; what does not fit is counted and comes back with the TTL as before.
 */
final class PendingReleases {

    private final int capacity;
    private final ConcurrentLinkedQueue<Draw> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();

    PendingReleases(int capacity) {
        this.capacity = capacity;
    }

    /** A release of one slot of {@code draw}'s bucket that Redis did not confirm. */
    void add(Draw draw) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.increment();
            return;
        }
        pending.add(draw);
    }

    boolean isEmpty() {
        return size.get() == 0;
    }

    /**
     * Hands each pending release to {@code send}, once: only those pending now, so a release that fails again and
     * is added back waits for the next call instead of looping.
     */
    void replay(Consumer<Draw> send) {
        for (int n = size.get(); n > 0; n--) {
            Draw draw = pending.poll();
            if (draw == null) {
                return;
            }
            size.decrementAndGet();
            send.accept(draw);
        }
    }

    int size() {
        return size.get();
    }

    long dropped() {
        return dropped.sum();
    }
}
