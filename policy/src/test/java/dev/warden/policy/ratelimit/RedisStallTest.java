package dev.warden.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.policy.testing.RedisPause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.embedded.RedisServer;

/**
 * A Redis server that is reachable but does not answer: {@code CLIENT PAUSE <ms> ALL}, sent on a connection of its
 * own, holds every command of every client (and the handshake of a new connection) until the pause ends. A
 * reservation must not wait with it: after the time limit the fallback decides, exactly as when Redis is down.
 * Each test has its own server, since a pause stalls everyone on it.
 */
@Timeout(120) // each test waits for Redis at most 15 s at a time
@Tag("slow")
class RedisStallTest {

    private static final Duration LIMIT = Duration.ofMillis(250);
    /** Long against the limit, so that "returned before the pause ended" leaves a wide margin on a busy machine. */
    private static final long PAUSE_MS = 4000;

    private static final LimitSet REQUESTS_40 = new LimitSet(List.of(Window.parse("40/1h")), List.of(), 0);

    private int port;
    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        port = RedisRateLimiterTest.freePort();
        Path dir = Files.createTempDirectory("warden-redis-stall");
        redis = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("dir " + dir)
                .build();
        redis.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        if (redis != null && redis.isActive()) {
            redis.stop();
        }
    }

    private RateLimiter limiter(RateLimiterOptions.Fallback fallback) {
        return RateLimiter.create(RateLimiterOptions.redis("redis://127.0.0.1:" + port, fallback)
                .withRedisTimeout(LIMIT)
                .withRedisRetryInterval(Duration.ofMillis(200))
                .withKeyPrefix(RedisRateLimiterTest.prefix()));
    }

    private long pause(long millis) throws Exception {
        return RedisPause.pause(port, millis);
    }

    private static Reservation reserve(RateLimiter limiter, String key, LimitSet limits) {
        return reserve(limiter, key, limits, 0);
    }

    private static Reservation reserve(RateLimiter limiter, String key, LimitSet limits, long tokens) {
        return limiter.reserve("acme", key, limits, LimitSet.NONE, "m", LimitSet.NONE, tokens);
    }

    @Test
    void aStalledRedisGivesWayToEachFallbackWithinTheTimeLimitAndIsUsedAgainAfterwards() throws Exception {
        try (RateLimiter local = limiter(RateLimiterOptions.Fallback.LOCAL);
                RateLimiter closed = limiter(RateLimiterOptions.Fallback.CLOSED)) {
            AtomicInteger localTold = new AtomicInteger();
            AtomicInteger closedTold = new AtomicInteger();
            local.onFallback(e -> localTold.incrementAndGet());
            closed.onFallback(e -> closedTold.incrementAndGet());
            // a cold JVM may need longer than the limit for its first calls: warm up until Redis answers
            assertThat(awaitRedis(local, "k", REQUESTS_40).store()).isEqualTo("redis");
            assertThat(awaitRedis(closed, "k", REQUESTS_40).admitted()).isTrue();
            // one concurrency slot and 100 of 1000 tokens, held across the pause
            Reservation held =
                    awaitRedis(closed, "held", new LimitSet(List.of(), List.of(Window.parse("1000/1h")), 1), 100);
            assertThat(held.admitted()).isTrue();
            long localFallbacks = local.fallbackCount();
            long closedFallbacks = closed.fallbackCount();
            int localToldBefore = localTold.get();
            int closedToldBefore = closedTold.get();

            long pauseEnds = pause(PAUSE_MS);

            Reservation viaLocal = reserveStalled(local, "k", REQUESTS_40, pauseEnds);
            Reservation viaClosed = reserveStalled(closed, "k", REQUESTS_40, pauseEnds);

            assertThat(viaLocal.admitted()).isTrue();
            assertThat(viaLocal.store()).isEqualTo("local");
            assertThat(viaLocal.headers()).containsEntry("x-ratelimit-limit-requests", "40");
            assertThat(local.fallbackCount()).isEqualTo(localFallbacks + 1);
            assertThat(localTold.get()).isEqualTo(localToldBefore + 1);

            Rejection refused = viaClosed.rejection().orElseThrow();
            assertThat(refused.reason()).isEqualTo(Rejection.Reason.UNAVAILABLE);
            assertThat(refused.httpStatus()).isEqualTo(503);
            assertThat(closed.fallbackCount()).isEqualTo(closedFallbacks + 1);
            assertThat(closedTold.get()).isEqualTo(closedToldBefore + 1);

            // Settling and releasing hand their work to Redis and return: they are still pending while it stalls.
            CompletableFuture<Void> settled = held.settle(40);
            CompletableFuture<Void> released = held.release();
            assertThat(settled).isNotDone();
            assertThat(released).isNotDone();
            assertThat(System.nanoTime()).as("checked while the pause held").isLessThan(pauseEnds);

            // After the pause both go to Redis again (once the retry interval is over); closed admits only there.
            assertThat(awaitRedis(local, "k", REQUESTS_40).store()).isEqualTo("redis");
            assertThat(awaitRedis(closed, "k", REQUESTS_40).admitted()).isTrue();
            settled.get(30, TimeUnit.SECONDS);
            released.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(RateLimiterOptions.Fallback.class)
    void aConnectToAStalledRedisCountsAgainstTheTimeLimit(RateLimiterOptions.Fallback fallback) throws Exception {
        // 5 s: the limiter's constructor waits up to Lettuce's connect timeout (8 x the limit) for its first attempt
        long pauseEnds = pause(5000);
        // created during the pause: TCP connects, the handshake is held by the server; so is the one a
        // reservation starts after the constructor's attempt gave up
        try (RateLimiter limiter = limiter(fallback)) {
            Reservation r = reserveStalled(limiter, "k", REQUESTS_40, pauseEnds);
            if (fallback == RateLimiterOptions.Fallback.LOCAL) {
                assertThat(r.admitted()).isTrue();
                assertThat(r.store()).isEqualTo("local");
            } else {
                assertThat(r.rejection().orElseThrow().reason()).isEqualTo(Rejection.Reason.UNAVAILABLE);
            }
            assertThat(limiter.fallbackCount()).isEqualTo(1);

            Reservation back = awaitRedis(limiter, "k", REQUESTS_40);
            assertThat(back.admitted()).isTrue();
            assertThat(back.store()).isEqualTo("redis");
        }
    }

    @Test
    void whatAnAbandonedReservationTookIsGivenBackWhenRedisAnswersLate() throws Exception {
        // one request an hour: if the abandoned reservation kept what it took, nothing would be admitted after it
        LimitSet once = new LimitSet(List.of(Window.parse("1/1h")), List.of(), 0);
        try (RateLimiter closed = limiter(RateLimiterOptions.Fallback.CLOSED)) {
            assertThat(awaitRedis(closed, "warm", REQUESTS_40).admitted()).isTrue();
            // shorter than Lettuce's own command timeout (8 x the limit), so the late replies are still seen
            long pauseEnds = pause(800);
            Reservation abandoned = reserveStalled(closed, "once", once, pauseEnds);
            assertThat(abandoned.rejection().orElseThrow().reason()).isEqualTo(Rejection.Reason.UNAVAILABLE);

            Reservation after = awaitRedis(closed, "once", once);
            assertThat(after.admitted()).as("the hourly request is still there").isTrue();
            assertThat(after.headers()).containsEntry("x-ratelimit-remaining-requests", "0");
        }
    }

    @Test
    void aSlotReleaseRedisNeverAnsweredIsSentAgainOnceItDoes() throws Exception {
        // one slot: if the release were lost, every later request would be refused until the bucket's TTL
        LimitSet oneSlot = new LimitSet(List.of(), List.of(), 1);
        try (RateLimiter closed = limiter(RateLimiterOptions.Fallback.CLOSED)) {
            Reservation held = awaitRedis(closed, "slot", oneSlot);
            assertThat(held.admitted()).isTrue();
            // longer than Lettuce's own command timeout (8 x the limit): the release gets no answer and fails
            long pauseEnds = pause(PAUSE_MS);
            held.release().get(30, TimeUnit.SECONDS);
            assertThat(System.nanoTime())
                    .as("the release gave up while the pause held")
                    .isLessThan(pauseEnds);
            assertThat(closed.unconfirmedSlotReleases())
                    .as("the unanswered release is remembered")
                    .isEqualTo(1);

            Reservation after = awaitRedis(closed, "slot", oneSlot);

            assertThat(after.admitted()).as("the slot is free again").isTrue();
            assertThat(after.store()).isEqualTo("redis");
            assertThat(closed.unconfirmedSlotReleases()).isZero();
        }
    }

    /**
     * Reserves while Redis stalls, and checks that the time limit held: the call returned before the pause ended,
     * and well before Lettuce's own command timeout (8 x the limit) would have ended the wait anyway.
     */
    private static Reservation reserveStalled(RateLimiter limiter, String key, LimitSet limits, long pauseEnds) {
        long start = System.nanoTime();
        Reservation r = reserve(limiter, key, limits);
        long end = System.nanoTime();
        assertThat(end).as("returned before the pause ended").isLessThan(pauseEnds);
        assertThat(Duration.ofNanos(end - start)).as("time to decide").isLessThan(LIMIT.multipliedBy(4));
        return r;
    }

    /**
     * The first reservation that Redis decides, within 15 s: a fallback reservation has store "local" (fallback
     * local) or is refused as UNAVAILABLE (fallback closed); so is one refused for a limit that a late give-back has
     * not restored yet.
     */
    private static Reservation awaitRedis(RateLimiter limiter, String key, LimitSet limits)
            throws InterruptedException {
        return awaitRedis(limiter, key, limits, 0);
    }

    private static Reservation awaitRedis(RateLimiter limiter, String key, LimitSet limits, long tokens)
            throws InterruptedException {
        return await("a reservation decided by Redis")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> reserve(limiter, key, limits, tokens),
                        r -> r.admitted() && r.store().equals("redis"));
    }
}
