package dev.warden.gateway.batch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The real time plus a shift the test sets: timestamps still move, expiries come when the test says. Each gateway
 * context gets its own as its batch clock ({@code @Import(ShiftedClock.OwnClock.class)}, then autowire it): contexts
 * stay cached, and moving one test class's clock ahead must expire nobody else's files.
 */
final class ShiftedClock extends Clock {

    @TestConfiguration
    static class OwnClock {
        @Bean
        ShiftedClock batchClock() {
            return new ShiftedClock();
        }
    }

    private volatile Duration shift = Duration.ZERO;

    void advance(Duration by) {
        shift = shift.plus(by);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(shift);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
