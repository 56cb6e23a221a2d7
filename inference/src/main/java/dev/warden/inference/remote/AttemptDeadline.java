package dev.warden.inference.remote;

import dev.warden.inference.InferenceException;
import dev.warden.inference.InferenceException.Kind;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import reactor.netty.Connection;

/**
 * The time limits of one attempt, kept on the connection's own event loop. Reactor's {@code timeout} schedules a
 * task on another thread for every element and wakes that thread each time, which cost more than the rest of a
 * streamed call together; here an event only records the time, and one timer per limit period checks it (the
 * algorithm of Netty's {@code ReadTimeoutHandler}, applied to SSE events rather than reads).
 *
 * <p>Before the first event the limit is {@code first} from the start of the attempt; after it, {@code gap} since
 * the last event (none for whole replies). When a limit passes the connection is closed, which fails the call, and
 * {@link #explain} turns that failure into the {@link Kind#TIMEOUT} it really is. The connection phase is bounded
 * by the connect time limit, so the timer only starts once {@link #bind} hands over the connection.
 */
final class AttemptDeadline {

    private final long startedAt = System.nanoTime();
    private final long firstNanos;
    private final long gapNanos;
    private final Replica replica;
    private final boolean streaming;
    private Channel channel;
    private long lastEventAt;
    private boolean seenEvent;
    private volatile ScheduledFuture<?> timer;
    private volatile boolean stopped;
    private volatile InferenceException expired;

    private AttemptDeadline(Replica replica, boolean streaming, Duration first, Duration gap) {
        this.replica = replica;
        this.streaming = streaming;
        this.firstNanos = first.toNanos();
        this.gapNanos = gap == null ? -1 : gap.toNanos();
    }

    static AttemptDeadline stream(Replica replica, Duration firstToken, Duration idleGap) {
        return new AttemptDeadline(replica, true, firstToken, idleGap);
    }

    static AttemptDeadline whole(Replica replica, Duration response) {
        return new AttemptDeadline(replica, false, response, null);
    }

    /** Built only when a limit passes: most attempts never need it. */
    private String message(boolean first) {
        long firstMillis = firstNanos / 1_000_000;
        if (!streaming) {
            return replica.label() + " did not answer within " + firstMillis + " ms";
        }
        return first
                ? "no first token from " + replica.label() + " within " + firstMillis + " ms"
                : replica.label() + " went silent for " + gapNanos / 1_000_000 + " ms mid-stream";
    }

    /** Starts the clock on the connection's event loop; called there, for each connection the attempt uses. */
    void bind(Connection connection) {
        cancelTimer();
        if (stopped) {
            return;
        }
        channel = connection.channel();
        schedule(startedAt + firstNanos - System.nanoTime());
    }

    /** An upstream event arrived; called on the connection's event loop. */
    void onEvent() {
        lastEventAt = System.nanoTime();
        if (!seenEvent) {
            seenEvent = true;
            // The timer is set for the first-token limit; from now on the (usually shorter) gap applies.
            cancelTimer();
            if (gapNanos >= 0 && !stopped && channel != null) {
                schedule(gapNanos);
            }
        }
    }

    /** The failure to report: the time-out if a limit passed (the connection was closed for it), else {@code e}. */
    Throwable explain(Throwable e) {
        InferenceException timeout = expired;
        return timeout != null ? timeout : e;
    }

    /** The attempt ended, one way or another: no limit applies any more. */
    void stop() {
        stopped = true;
        cancelTimer();
    }

    private void check() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        boolean first = !seenEvent;
        if (!first && gapNanos < 0) {
            return;
        }
        long due = first ? startedAt + firstNanos : lastEventAt + gapNanos;
        if (now - due >= 0) {
            expired = new InferenceException(Kind.TIMEOUT, message(first));
            channel.close();
        } else {
            schedule(due - now);
        }
    }

    private void schedule(long delayNanos) {
        timer = channel.eventLoop().schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
