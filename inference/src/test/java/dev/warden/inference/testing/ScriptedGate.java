package dev.warden.inference.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A hold point in a scripted stream: the server stops before the event the gate guards until the test calls
 * {@link #release()}. Lets a test prove that earlier events reached the client while the upstream was still busy.
 * Waiting on the server side is non-blocking, so a held stream costs no thread.
 */
public final class ScriptedGate {

    private final Sinks.Empty<Void> released = Sinks.empty();
    private final CountDownLatch reached = new CountDownLatch(1);

    /** Lets every stream held here go on; idempotent. */
    public void release() {
        released.tryEmitEmpty();
    }

    /** Whether some stream has sent everything before this gate and is waiting at it. */
    public boolean isReached() {
        return reached.getCount() == 0;
    }

    /** Blocks the test thread until a stream waits at the gate; false when the time passed first. */
    public boolean awaitReached(Duration timeout) {
        try {
            return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Mono<Void> pass() {
        return Mono.defer(() -> {
            reached.countDown();
            return released.asMono();
        });
    }
}
