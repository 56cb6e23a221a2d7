package dev.warden.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

/** Against a real Redis server, started from the embedded-redis artifact on a free port. */
@Timeout(120) // a Redis restart and reconnect, per test
@Tag("slow")
class RedisRateLimiterTest {

    static int port;
    static RedisServer redis;
    static Path dataDir;

    @BeforeAll
    static void startRedis() throws Exception {
        port = freePort();
        dataDir = Files.createTempDirectory("warden-redis");
        redis = server(port);
        redis.start();
    }

    static RedisServer server(int port) throws IOException {
        return RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("dir " + dataDir)
                .build();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null && redis.isActive()) {
            redis.stop();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A gateway's limiter; a fresh key prefix per test keeps tests apart on the shared server. */
    static RateLimiter gateway(String prefix, RateLimiterOptions.Fallback fallback) {
        // a generous timeout: the exact-capacity assertions must not depend on how loaded the test machine is
        return RateLimiter.create(RateLimiterOptions.redis("redis://127.0.0.1:" + port, fallback)
                .withKeyPrefix(prefix)
                .withRedisRetryInterval(Duration.ofMillis(200))
                .withRedisTimeout(Duration.ofSeconds(2)));
    }

    static String prefix() {
        return "test:" + UUID.randomUUID() + ":";
    }

    static final LimitSet REQUESTS_40 = new LimitSet(List.of(Window.parse("40/1h")), List.of(), 0);

    @Test
    void twoGatewaysSharingRedisEnforceOneLimitExactlyUnderContention() throws Exception {
        String prefix = prefix();
        try (RateLimiter a = gateway(prefix, RateLimiterOptions.Fallback.CLOSED);
                RateLimiter b = gateway(prefix, RateLimiterOptions.Fallback.CLOSED)) {
            LimitSet tenant = new LimitSet(List.of(Window.parse("40/1h")), List.of(Window.parse("5000/30d")), 0);
            List<Reservation> all = Contention.run(5, t -> (t % 2 == 0 ? a : b)
                    .reserve("acme", "k" + t, LimitSet.NONE, tenant, "m", LimitSet.NONE, 100));
            assertThat(Contention.admitted(all)).isEqualTo(40);
            assertThat(all.stream().filter(Reservation::admitted).map(Reservation::store))
                    .containsOnly("redis");
            // tokens drawn: 40 x 100 of 5000 (refilling one token per 518 s), so 1000 remain for either gateway
            Reservation next = a.reserve(
                    "acme",
                    "x",
                    LimitSet.NONE,
                    new LimitSet(List.of(), List.of(Window.parse("5000/30d")), 0),
                    "m",
                    LimitSet.NONE,
                    1000);
            assertThat(next.admitted()).isTrue();
            assertThat(next.headers()).containsEntry("x-ratelimit-remaining-tokens", "0");
            assertThat(b.reserve(
                                    "acme",
                                    "y",
                                    LimitSet.NONE,
                                    new LimitSet(List.of(), List.of(Window.parse("5000/30d")), 0),
                                    "m",
                                    LimitSet.NONE,
                                    1)
                            .admitted())
                    .isFalse();
            assertThat(a.fallbackCount() + b.fallbackCount()).isZero();
        }
    }

    @Test
    void concurrencyIsSharedAcrossGatewaysAndReleasedThroughEither() throws Exception {
        String prefix = prefix();
        try (RateLimiter a = gateway(prefix, RateLimiterOptions.Fallback.CLOSED);
                RateLimiter b = gateway(prefix, RateLimiterOptions.Fallback.CLOSED)) {
            LimitSet slots = new LimitSet(List.of(), List.of(), 6);
            List<Reservation> held = Contention.run(
                    3, t -> (t % 2 == 0 ? a : b).reserve("acme", "k", slots, LimitSet.NONE, "m", LimitSet.NONE, 0));
            assertThat(held).hasSize(96);
            assertThat(Contention.admitted(held)).isEqualTo(6);
            // the reservations above were dropped unreleased on purpose: all 6 slots stay taken
            assertThat(a.reserve("acme", "k", slots, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .admitted())
                    .isFalse();

            LimitSet tenantSlots = new LimitSet(List.of(), List.of(), 3);
            List<Reservation> all = Contention.run(4, t -> (t % 2 == 0 ? a : b)
                    .reserve("acme", "k" + t, LimitSet.NONE, tenantSlots, "m", LimitSet.NONE, 0));
            assertThat(Contention.admitted(all)).isEqualTo(3);
            // releases do not wait for Redis; wait here until they are in, then check that a second one is a no-op
            CompletableFuture.allOf(all.stream().map(Reservation::release).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            all.forEach(Reservation::release);
            List<Reservation> again = Contention.run(4, t -> (t % 2 == 0 ? b : a)
                    .reserve("acme", "k" + t, LimitSet.NONE, tenantSlots, "m", LimitSet.NONE, 0));
            assertThat(Contention.admitted(again)).isEqualTo(3);
        }
    }

    @Test
    void settlementIsVisibleToTheOtherGateway() {
        String prefix = prefix();
        try (RateLimiter a = gateway(prefix, RateLimiterOptions.Fallback.CLOSED);
                RateLimiter b = gateway(prefix, RateLimiterOptions.Fallback.CLOSED)) {
            LimitSet tokens = new LimitSet(List.of(), List.of(Window.parse("1000/30d")), 0);
            Reservation r = a.reserve("acme", "k", tokens, LimitSet.NONE, "m", LimitSet.NONE, 900);
            assertThat(b.reserve("acme", "k", tokens, LimitSet.NONE, "m", LimitSet.NONE, 500)
                            .admitted())
                    .isFalse();
            r.settle(300).join(); // a settle does not wait for Redis; the test does, before looking
            Reservation after = b.reserve("acme", "k", tokens, LimitSet.NONE, "m", LimitSet.NONE, 500);
            assertThat(after.admitted()).isTrue();
            assertThat(after.headers()).containsEntry("x-ratelimit-remaining-tokens", "200");
        }
    }

    @Test
    void redisStoppedMidTestTriggersTheFallbackAndRecovers() throws Exception {
        int ownPort = freePort();
        RedisServer own = server(ownPort);
        own.start();
        AtomicInteger told = new AtomicInteger();
        RateLimiterOptions base = RateLimiterOptions.redis(
                        "redis://127.0.0.1:" + ownPort, RateLimiterOptions.Fallback.LOCAL)
                .withRedisRetryInterval(Duration.ofMillis(200))
                // generous: the first reservations must reach Redis however loaded the machine (an outage fails
                // at once, so this does not slow the test)
                .withRedisTimeout(Duration.ofSeconds(2))
                .withKeyPrefix(prefix());
        RateLimiterOptions closedOptions = base.withFallback(RateLimiterOptions.Fallback.CLOSED);
        try (RateLimiter local = RateLimiter.create(base);
                RateLimiter closed = RateLimiter.create(closedOptions)) {
            local.onFallback(e -> told.incrementAndGet());
            assertThat(local.reserve("acme", "k", REQUESTS_40, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .store())
                    .isEqualTo("redis");
            assertThat(closed.reserve("acme", "k", REQUESTS_40, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .admitted())
                    .isTrue();

            own.stop();

            Reservation fallback = local.reserve("acme", "k", REQUESTS_40, LimitSet.NONE, "m", LimitSet.NONE, 0);
            assertThat(fallback.admitted()).isTrue();
            assertThat(fallback.store()).isEqualTo("local");
            assertThat(local.fallbackCount()).isEqualTo(1);
            assertThat(told.get()).isEqualTo(1);
            // local fallback still enforces limits, per gateway
            LimitSet two = new LimitSet(List.of(Window.parse("2/1h")), List.of(), 0);
            assertThat(local.reserve("acme", "z", two, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .admitted())
                    .isTrue();
            assertThat(local.reserve("acme", "z", two, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .admitted())
                    .isTrue();
            assertThat(local.reserve("acme", "z", two, LimitSet.NONE, "m", LimitSet.NONE, 0)
                            .admitted())
                    .isFalse();

            Reservation refused = closed.reserve("acme", "k", REQUESTS_40, LimitSet.NONE, "m", LimitSet.NONE, 0);
            assertThat(refused.admitted()).isFalse();
            assertThat(refused.rejection().orElseThrow().reason()).isEqualTo(Rejection.Reason.UNAVAILABLE);
            assertThat(refused.rejection().orElseThrow().httpStatus()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "1");
            assertThat(closed.fallbackCount()).isEqualTo(1);
            assertThat(closed.storeErrorCount()).isGreaterThanOrEqualTo(1);

            own = server(ownPort);
            own.start();
            // Lettuce reconnects in the background; the retry interval is 200 ms
            Reservation back = await("the limiter back on Redis")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> local.reserve("acme", "k", REQUESTS_40, LimitSet.NONE, "m", LimitSet.NONE, 0),
                            r -> r.store().equals("redis"));
            assertThat(back.store()).isEqualTo("redis");
        } finally {
            if (own.isActive()) {
                own.stop();
            }
        }
    }
}
