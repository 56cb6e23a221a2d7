package dev.warden.gateway;

import java.time.Duration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Tests only (registered in META-INF/spring.factories): when the JVM exits, a context's server event loops stop
 * without Reactor Netty's quiet period.
 *
 * <p>Spring's test context cache keeps every distinct gateway context open until the fork exits, and its shutdown
 * hook closes them one after another. Nothing is in flight by then (each graceful shutdown completes in
 * milliseconds), but each context's {@code reactorResourceFactory} then waited the 2 s quiet period for late tasks:
 * 17 contexts overran Surefire's 30 s exit limit and the fork was killed. A context closed while tests still run
 * (a test's own gateway) keeps the quiet period, as in production: it stops only that context's own event loops
 * ({@code EventLoopsConfiguration}; {@code TwoGatewaysInOneJvmTest} checks that the others keep serving after it).
 * Production keeps the default throughout.
 */
public final class QuietExit implements ApplicationListener<ContextClosedEvent> {

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (jvmExiting()) {
            event.getApplicationContext()
                    .getBeanProvider(ReactorResourceFactory.class)
                    .orderedStream()
                    .forEach(factory -> factory.setShutdownQuietPeriod(Duration.ZERO));
        }
    }

    /** The JVM refuses new shutdown hooks once it has begun to exit. */
    private static boolean jvmExiting() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException exiting) {
            return true;
        }
    }
}
