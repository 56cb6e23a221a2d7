package dev.warden.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {

    final RateLimiter limiter = RateLimiter.create(RateLimiterOptions.local());

    @AfterEach
    void close() {
        limiter.close();
    }

    static LimitSet requests(String... windows) {
        return new LimitSet(List.of(windows).stream().map(Window::parse).toList(), List.of(), 0);
    }

    static LimitSet tokens(String... windows) {
        return new LimitSet(
                List.of(), List.of(windows).stream().map(Window::parse).toList(), 0);
    }

    static LimitSet concurrent(int n) {
        return new LimitSet(List.of(), List.of(), n);
    }

    Reservation reserve(String key, LimitSet keyLimits, LimitSet tenantLimits, LimitSet modelLimits, long tokens) {
        return limiter.reserve("acme", key, keyLimits, tenantLimits, "m", modelLimits, tokens);
    }

    @Test
    void underContentionARequestLimitAdmitsExactlyItsCapacity() throws Exception {
        List<Reservation> all =
                Contention.run(10, t -> reserve("k1", requests("50/1h"), LimitSet.NONE, LimitSet.NONE, 10));
        assertThat(all).hasSize(320);
        assertThat(Contention.admitted(all)).isEqualTo(50);
        assertThat(all.stream()
                        .filter(r -> !r.admitted())
                        .map(r -> r.rejection().orElseThrow().reason()))
                .containsOnly(Rejection.Reason.REQUESTS);
    }

    @Test
    void underContentionATokenLimitAdmitsExactlyWhatFits() throws Exception {
        List<Reservation> all =
                Contention.run(5, t -> reserve("k" + t, LimitSet.NONE, tokens("1000/1h"), LimitSet.NONE, 30));
        assertThat(Contention.admitted(all)).isEqualTo(33); // 33 * 30 = 990, a 34th would need 1020
    }

    @Test
    void underContentionAConcurrencyLimitAdmitsExactlyItsSlotsUntilReleased() throws Exception {
        List<Reservation> first =
                Contention.run(4, t -> reserve("k" + t, LimitSet.NONE, LimitSet.NONE, concurrent(5), 0));
        assertThat(Contention.admitted(first)).isEqualTo(5);
        assertThat(first.stream()
                        .filter(r -> !r.admitted())
                        .findFirst()
                        .orElseThrow()
                        .rejection()
                        .orElseThrow())
                .satisfies(r -> {
                    assertThat(r.reason()).isEqualTo(Rejection.Reason.CONCURRENT);
                    assertThat(r.scope()).isEqualTo("model");
                    assertThat(r.limit()).isEqualTo("5 concurrent");
                });
        first.forEach(Reservation::release);
        first.forEach(Reservation::release); // idempotent: releasing twice frees nothing extra
        List<Reservation> second =
                Contention.run(4, t -> reserve("k" + t, LimitSet.NONE, LimitSet.NONE, concurrent(5), 0));
        assertThat(Contention.admitted(second)).isEqualTo(5);
    }

    @Test
    void allWindowsHoldAtOnceAndARejectionGivesBackWhatWasTaken() {
        LimitSet key = requests("5/1m", "3/1d");
        for (int i = 0; i < 3; i++) {
            assertThat(reserve("k", key, LimitSet.NONE, LimitSet.NONE, 0).admitted())
                    .isTrue();
        }
        Reservation fourth = reserve("k", key, LimitSet.NONE, LimitSet.NONE, 0);
        assertThat(fourth.rejection().orElseThrow().limit()).isEqualTo("3/1d requests");
        assertThat(fourth.rejection().orElseThrow().scope()).isEqualTo("key");

        // the tenant limit refuses after the key limit granted: the key's request must come back
        LimitSet tenant = concurrent(1);
        LimitSet keyLimit = requests("2/1h");
        Reservation holder = reserve("a", keyLimit, tenant, LimitSet.NONE, 0);
        assertThat(holder.admitted()).isTrue();
        assertThat(reserve("b", keyLimit, tenant, LimitSet.NONE, 0).admitted()).isFalse();
        holder.release();
        assertThat(reserve("b", keyLimit, tenant, LimitSet.NONE, 0).admitted()).isTrue();
        assertThat(reserve("b", keyLimit, LimitSet.NONE, LimitSet.NONE, 0).admitted())
                .isTrue(); // b has used 2 of 2
        assertThat(reserve("b", keyLimit, LimitSet.NONE, LimitSet.NONE, 0).admitted())
                .isFalse();
    }

    @Test
    void keysTenantsAndModelsAreSeparateScopes() {
        LimitSet one = requests("1/1h");
        assertThat(limiter.reserve("acme", "k1", one, LimitSet.NONE, "m", LimitSet.NONE, 0)
                        .admitted())
                .isTrue();
        assertThat(limiter.reserve("acme", "k2", one, LimitSet.NONE, "m", LimitSet.NONE, 0)
                        .admitted())
                .isTrue();
        assertThat(limiter.reserve("other", "k1", one, LimitSet.NONE, "m", LimitSet.NONE, 0)
                        .admitted())
                .isTrue();
        assertThat(limiter.reserve("acme", "k1", one, LimitSet.NONE, "m", LimitSet.NONE, 0)
                        .admitted())
                .isFalse();

        assertThat(limiter.reserve("acme", "k3", LimitSet.NONE, LimitSet.NONE, "m1", one, 0)
                        .admitted())
                .isTrue();
        assertThat(limiter.reserve("acme", "k4", LimitSet.NONE, LimitSet.NONE, "m2", one, 0)
                        .admitted())
                .isTrue();
        assertThat(limiter.reserve("acme", "k4", LimitSet.NONE, LimitSet.NONE, "m1", one, 0)
                        .admitted())
                .isFalse();
    }

    @Test
    void headersFollowOpenAi() {
        LimitSet limits = new LimitSet(
                List.of(Window.parse("60/1m"), Window.parse("10000/1d")), List.of(Window.parse("1000/1m")), 0);
        Reservation r = reserve("k", limits, LimitSet.NONE, LimitSet.NONE, 100);
        assertThat(r.headers())
                .containsExactly(
                        org.assertj.core.api.Assertions.entry("x-ratelimit-limit-requests", "60"),
                        org.assertj.core.api.Assertions.entry("x-ratelimit-remaining-requests", "59"),
                        org.assertj.core.api.Assertions.entry("x-ratelimit-reset-requests", "1s"),
                        org.assertj.core.api.Assertions.entry("x-ratelimit-limit-tokens", "1000"),
                        org.assertj.core.api.Assertions.entry("x-ratelimit-remaining-tokens", "900"),
                        org.assertj.core.api.Assertions.entry("x-ratelimit-reset-tokens", "6s"));
        assertThat(r.reservedTokens()).isEqualTo(100);
        assertThat(r.store()).isEqualTo("local");
    }

    @Test
    void aRejectionSaysWhenToRetry() {
        LimitSet two = requests("2/1m");
        reserve("k", two, LimitSet.NONE, LimitSet.NONE, 0);
        reserve("k", two, LimitSet.NONE, LimitSet.NONE, 0);
        Reservation third = reserve("k", two, LimitSet.NONE, LimitSet.NONE, 0);
        Rejection rejection = third.rejection().orElseThrow();
        // one request comes back every 30 s; the test ran well under a second since the bucket was created
        assertThat(rejection.retryAfter()).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
        assertThat(rejection.httpStatus()).isEqualTo(429);
        assertThat(third.headers())
                .containsEntry("retry-after", Long.toString(rejection.retryAfterSeconds()))
                .containsEntry("x-ratelimit-remaining-requests", "0")
                .containsEntry("x-ratelimit-limit-requests", "2");
        assertThat(rejection.message()).contains("2/1m requests");
    }

    @Test
    void aRequestLargerThanAWindowCanNeverPass() {
        Reservation r = reserve("k", tokens("1000/1m"), LimitSet.NONE, LimitSet.NONE, 1001);
        assertThat(r.rejection().orElseThrow().reason()).isEqualTo(Rejection.Reason.TOO_LARGE);
        assertThat(r.rejection().orElseThrow().retryAfterSeconds()).isEqualTo(-1);
        assertThat(r.headers()).doesNotContainKey("retry-after");
    }

    @Test
    void settlingRefundsUnusedTokensAndChargesOverruns() {
        LimitSet limit = tokens("1000/30d"); // refills one token per 43 min: no refill during the test
        Reservation r = reserve("refund", limit, LimitSet.NONE, LimitSet.NONE, 600);
        assertThat(reserve("refund", limit, LimitSet.NONE, LimitSet.NONE, 800).admitted())
                .isFalse();
        r.settle(100); // 500 come back
        r.settle(0); // only the first settle counts
        assertThat(reserve("refund", limit, LimitSet.NONE, LimitSet.NONE, 800).admitted())
                .isTrue();

        Reservation small = reserve("charge", limit, LimitSet.NONE, LimitSet.NONE, 100);
        small.settle(500); // 400 more than reserved
        assertThat(reserve("charge", limit, LimitSet.NONE, LimitSet.NONE, 501).admitted())
                .isFalse();
        assertThat(reserve("charge", limit, LimitSet.NONE, LimitSet.NONE, 490).admitted())
                .isTrue();
    }

    @Test
    void memoryIsBounded() {
        try (RateLimiter small = RateLimiter.create(RateLimiterOptions.local().withMaxLocalBuckets(100))) {
            for (int i = 0; i < 1000; i++) {
                small.reserve("t" + i, "k", requests("1/1h"), LimitSet.NONE, "m", LimitSet.NONE, 0);
            }
            // Caffeine evicts asynchronously but bounds the size; nothing like 1000 buckets stay
            assertThat(small.localBucketCount()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void resetIsFormattedLikeOpenAi() {
        assertThat(RateLimitInfo.format(Duration.ofMillis(20))).isEqualTo("20ms");
        assertThat(RateLimitInfo.format(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(RateLimitInfo.format(Duration.ofMinutes(6))).isEqualTo("6m0s");
        assertThat(RateLimitInfo.format(Duration.ofMillis(3_723_500))).isEqualTo("1h2m3.5s");
        assertThat(RateLimitInfo.format(Duration.ofNanos(1))).isEqualTo("1ms");
    }
}
