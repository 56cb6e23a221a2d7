package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds the next request that reaches a step of a handler (a test hook such as
 * {@link BatchesHandler#onInputChecked}) until the test lets it go: the moment a sweep or a deletion used to take a
 * file from under it. Requests that reach it later pass once the test has let go.
 */
final class PausedStep implements AutoCloseable {

    private final Consumer<Runnable> hook;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);

    /** @param hook installs the runnable a handler runs at the step, e.g. {@code batches::onInputChecked} */
    PausedStep(Consumer<Runnable> hook) {
        this.hook = hook;
        hook.accept(this::hold);
    }

    /** Runs on the request's blocking-I/O thread, never on an event loop. */
    private void hold() {
        reached.countDown();
        try {
            if (!go.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the request go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void awaitReached() throws InterruptedException {
        assertThat(reached.await(30, TimeUnit.SECONDS))
                .as("a request reached the paused step")
                .isTrue();
    }

    void letGo() {
        go.countDown();
    }

    @Override
    public void close() {
        hook.accept(() -> {});
        go.countDown();
    }
}
