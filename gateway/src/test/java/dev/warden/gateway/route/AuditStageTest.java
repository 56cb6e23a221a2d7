package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.tenant.Principal;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Stage {@code Audit} alone: whatever the stages after it do, the request leaves exactly one record: theirs when
 * they recorded an ending, else the failure or the client's going away.
 */
@Timeout(60)
class AuditStageTest {

    private static final StageFixture FIXTURE = new StageFixture();
    private final GatewayFilter stage = new AuditGatewayFilterFactory(FIXTURE.audit).apply(new StageFactory.Config());

    @AfterAll
    static void close() {
        FIXTURE.close();
    }

    @Test
    void aFailureNoStageRecordedIsRecordedBeforeTheErrorLeaves() {
        MockServerWebExchange exchange = exchange("local", FIXTURE.keys.localKey, "req_fail");
        StepVerifier.create(stage.filter(exchange, ex -> Mono.error(ApiErrors.invalidRequest("bad", "x"))))
                .expectError()
                .verify();
        assertThat(FIXTURE.records("local", 1)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.BAD_REQUEST);
            assertThat(r.httpStatus()).isEqualTo(400);
        });
    }

    @Test
    void aClientThatGoesAwayIsRecordedAs499() {
        MockServerWebExchange exchange = exchange("acme", FIXTURE.keys.acmeKey, "req_gone");
        StepVerifier.create(stage.filter(exchange, ex -> Mono.never()))
                .expectSubscription()
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        assertThat(FIXTURE.records("acme", 1)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.CLIENT_ABORT);
            assertThat(r.httpStatus()).isEqualTo(499);
        });
    }

    @Test
    void anEndingAStageRecordedIsTheOnlyRecord() {
        MockServerWebExchange exchange = exchange("playground", FIXTURE.keys.playgroundKey, "req_once");
        CallRecord record = RequestState.of(exchange).record();
        StepVerifier.create(stage.filter(exchange, ex -> FIXTURE.audit
                        .record(record, Outcome.RATE_LIMITED, 429)
                        .then(Mono.error(ApiErrors.invalidRequest("refused", null)))))
                .expectError()
                .verify();
        assertThat(FIXTURE.records("playground", 1)).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(Outcome.RATE_LIMITED));
    }

    private static MockServerWebExchange exchange(String tenant, String key, String id) {
        Principal principal = FIXTURE.principal(key);
        assertThat(principal.tenantId()).isEqualTo(tenant);
        MockServerWebExchange exchange = StageFixture.exchange(MockServerHttpRequest.post("/v1/moderations"));
        RequestState state = RequestState.open(exchange, id, null);
        state.authenticated(principal);
        state.metered(new CallRecord(id, principal).model("warden-guard").purpose("moderation"), "warden-guard", 1);
        return exchange;
    }
}
