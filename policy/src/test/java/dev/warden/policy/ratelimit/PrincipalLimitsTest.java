package dev.warden.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.ApiKey;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The limits a gateway gets from an authenticated principal, as configured in the tenants file. */
class PrincipalLimitsTest {

    static final TenantDirectory EXAMPLE = TenantDirectory.load(
            Path.of("../config/tenants.example.yaml"), LicenceCatalog.load(Path.of("../config/licences")));

    @Test
    void aKeyOverrideReplacesTheTenantsPerKeyLimitsAndTenantAndModelLimitsStillApply() throws Exception {
        Tenant acme = EXAMPLE.tenant("acme").orElseThrow();
        ApiKey overridden = acme.keys().get(0);
        Principal principal = new Principal(acme, overridden);
        assertThat(principal.keyLimits().requests()).containsExactly(Window.parse("10/1m"));
        try (RateLimiter limiter = RateLimiter.create(RateLimiterOptions.local())) {
            Reservation first = limiter.reserve(principal, "llama-3.1-8b-instruct", 1000);
            assertThat(first.admitted()).isTrue();
            // key: 10/1m is the tightest request window; tokens: the model's 500000/1m
            assertThat(first.headers())
                    .containsEntry("x-ratelimit-limit-requests", "10")
                    .containsEntry("x-ratelimit-remaining-requests", "9")
                    .containsEntry("x-ratelimit-limit-tokens", "500000")
                    .containsEntry("x-ratelimit-remaining-tokens", "499000");
            // the tenant's 1000000/1m token window bites: 1000 + 499000 + 900000 > 1000000 (it refills 16667/s, so
            // the test would need 24 s between these calls to pass for the wrong reason)
            assertThat(limiter.reserve(principal, "other-model", 499_000).admitted())
                    .isTrue();
            Reservation tooMuch = limiter.reserve(principal, "other-model", 900_000);
            assertThat(tooMuch.rejection().orElseThrow().scope()).isEqualTo("tenant");
            assertThat(tooMuch.rejection().orElseThrow().limit()).isEqualTo("1000000/1m tokens");

            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                assertThat(limiter.reserveAsync(principal, "llama-3.1-8b-instruct", 10, pool)
                                .get()
                                .admitted())
                        .isTrue();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void filesAndBatchesCallsDrawOnTheirOwnBudgetAndOnNothingElse() throws Exception {
        Tenant acme = EXAMPLE.tenant("acme").orElseThrow();
        assertThat(acme.policy().limits().filesAndBatches().requests()).containsExactly(Window.parse("120/1m"));
        // the key overridden to 10 requests a minute: its generation budget is untouched by 120 batch polls
        Principal principal = new Principal(acme, acme.keys().get(0));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RateLimiter limiter = RateLimiter.create(RateLimiterOptions.local())) {
            for (int i = 0; i < 120; i++) {
                Reservation poll =
                        limiter.reserveFilesAndBatchesAsync(principal, pool).get();
                assertThat(poll.admitted()).isTrue();
                assertThat(poll.headers())
                        .containsEntry("x-ratelimit-limit-requests", "120")
                        .containsEntry("x-ratelimit-remaining-requests", String.valueOf(119 - i))
                        .doesNotContainKey("x-ratelimit-limit-tokens");
                poll.release();
            }
            Reservation refused =
                    limiter.reserveFilesAndBatchesAsync(principal, pool).get();
            assertThat(refused.rejection().orElseThrow().scope()).isEqualTo("files-and-batches");
            assertThat(refused.rejection().orElseThrow().limit()).isEqualTo("120/1m requests");
            assertThat(refused.rejection().orElseThrow().retryAfterSeconds()).isPositive();

            Reservation generation = limiter.reserve(principal, "llama-3.1-8b-instruct", 1000);
            assertThat(generation.admitted()).isTrue();
            assertThat(generation.headers()).containsEntry("x-ratelimit-remaining-requests", "9");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withNoRedisAtAllTheFallbackDecides() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Tenant local = EXAMPLE.tenant("acme").orElseThrow();
        Principal principal = new Principal(local, local.keys().get(0));
        try (RateLimiter closed = RateLimiter.create(
                        RateLimiterOptions.redis("redis://127.0.0.1:" + port, RateLimiterOptions.Fallback.CLOSED));
                RateLimiter lenient = RateLimiter.create(
                        RateLimiterOptions.redis("redis://127.0.0.1:" + port, RateLimiterOptions.Fallback.LOCAL))) {
            Reservation refused = closed.reserve(principal, "llama-3.1-8b-instruct", 10);
            assertThat(refused.rejection().orElseThrow().reason()).isEqualTo(Rejection.Reason.UNAVAILABLE);
            Reservation admitted = lenient.reserve(principal, "llama-3.1-8b-instruct", 10);
            assertThat(admitted.admitted()).isTrue();
            assertThat(admitted.store()).isEqualTo("local");
            assertThat(lenient.fallbackCount()).isEqualTo(1);
        }
    }
}
