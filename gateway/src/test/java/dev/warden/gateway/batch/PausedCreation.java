package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the next batch being created right after its input file's check, before the batch is registered, until the
 * test lets it go: the moment a sweep or a deletion used to take the input from under it. Later creations pass.
 */
final class PausedCreation implements AutoCloseable {

    private final BatchesHandler handler;
    private final CountDownLatch checked = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);

    PausedCreation(BatchesHandler handler) {
        this.handler = handler;
        handler.onInputChecked(this::hold);
    }

    /** Runs on the creating request's blocking-I/O thread, never on an event loop. */
    private void hold() {
        checked.countDown();
        try {
            if (!go.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the batch creation go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void awaitInputChecked() throws InterruptedException {
        assertThat(checked.await(30, TimeUnit.SECONDS))
                .as("a batch creation checked its input")
                .isTrue();
    }

    void letGo() {
        go.countDown();
    }

    @Override
    public void close() {
        handler.onInputChecked(() -> {});
        go.countDown();
    }
}
