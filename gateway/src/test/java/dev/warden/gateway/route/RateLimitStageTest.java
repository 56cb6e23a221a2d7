package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.tenant.Principal;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;

/**
 * Stage {@code RateLimit} alone, for a tenant limited to three requests a minute per key: three pass with the
 * {@code x-ratelimit-*} headers, the fourth is refused 429 with {@code Retry-After} and recorded.
 */
@Timeout(60)
class RateLimitStageTest {

    private static final StageFixture FIXTURE = new StageFixture();
    private final GatewayFilter stage =
            new RateLimitGatewayFilterFactory(FIXTURE.limits).apply(new RateLimitGatewayFilterFactory.Config());

    @AfterAll
    static void close() {
        FIXTURE.close();
    }

    @Test
    void theFourthRequestOfAMinuteIs429WithRetryAfterAndRecorded() {
        Principal metered = FIXTURE.principal(FIXTURE.keys.meteredKey);
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        for (int i = 0; i < 3; i++) {
            MockServerWebExchange exchange = meteredExchange(metered, i);
            StepVerifier.create(stage.filter(exchange, chain)).verifyComplete();
            assertThat(exchange.getResponse().getHeaders().getFirst("x-ratelimit-limit-requests"))
                    .isEqualTo("3");
        }
        assertThat(chain.calls).hasValue(3);

        MockServerWebExchange fourth = meteredExchange(metered, 3);
        StepVerifier.create(stage.filter(fourth, chain))
                .expectErrorSatisfies(e -> {
                    ApiException api = (ApiException) e;
                    assertThat(api.status().value()).isEqualTo(429);
                    assertThat(api.code()).isEqualTo("rate_limit_exceeded");
                    assertThat(api.retryAfter()).isPositive();
                })
                .verify();
        assertThat(chain.calls).hasValue(3);
        List<AuditRecord> records = FIXTURE.records("metered", 1);
        assertThat(records)
                .filteredOn(r -> r.requestId().startsWith("req_"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.requestId()).isEqualTo("req_3");
                    assertThat(r.outcome()).isEqualTo(Outcome.RATE_LIMITED);
                    assertThat(r.httpStatus()).isEqualTo(429);
                });
    }

    @Test
    void filesAndBatchesCallsDrawOnTheirOwnBudgetOnly() {
        RateLimitGatewayFilterFactory.Config config = new RateLimitGatewayFilterFactory.Config();
        config.setBudget(RateLimitGatewayFilterFactory.FILES_AND_BATCHES);
        GatewayFilter management = new RateLimitGatewayFilterFactory(FIXTURE.limits).apply(config);
        // the same key as the other test, which spends its generation budget: the two do not meet
        Principal metered = FIXTURE.principal(FIXTURE.keys.meteredKey);
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(management.filter(meteredExchange(metered, "files_" + i), chain))
                    .verifyComplete();
        }
        StepVerifier.create(management.filter(meteredExchange(metered, "files_3"), chain))
                .expectErrorSatisfies(e -> {
                    ApiException api = (ApiException) e;
                    assertThat(api.status().value()).isEqualTo(429);
                    assertThat(api.getMessage()).contains("files-and-batches");
                })
                .verify();
        assertThat(chain.calls).hasValue(3);
    }

    private static MockServerWebExchange meteredExchange(Principal principal, int i) {
        return meteredExchange(principal, "req_" + i);
    }

    private static MockServerWebExchange meteredExchange(Principal principal, String requestId) {
        MockServerWebExchange exchange = StageFixture.exchange(MockServerHttpRequest.post("/v1/moderations"));
        RequestState state = RequestState.open(exchange, requestId, null);
        state.authenticated(principal);
        state.metered(
                new CallRecord(requestId, principal).model("warden-guard").purpose("moderation"), "warden-guard", 10);
        return exchange;
    }
}
