package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.RequestState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;

/** Stage {@code Authenticate} alone: a tenant key makes the caller the request's principal; nothing else passes. */
@Timeout(60)
class AuthenticateStageTest {

    private static final StageFixture FIXTURE = new StageFixture();
    private final GatewayFilter stage = new AuthenticateGatewayFilterFactory(FIXTURE.tenants, FIXTURE.authFailures)
            .apply(new StageFactory.Config());

    @AfterAll
    static void close() {
        FIXTURE.close();
    }

    @Test
    void aTenantKeyBecomesThePrincipalAndTheRequestGoesOn() {
        MockServerWebExchange exchange = StageFixture.exchange(MockServerHttpRequest.post("/v1/chat/completions")
                .header("Authorization", "Bearer " + FIXTURE.keys.acmeKey));
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        StepVerifier.create(stage.filter(exchange, chain)).verifyComplete();
        assertThat(chain.calls).hasValue(1);
        assertThat(RequestState.of(exchange).tenantId()).isEqualTo("acme");
    }

    @Test
    void noKeyIs401MissingApiKey() {
        refused(MockServerHttpRequest.post("/v1/chat/completions"), 401, "missing_api_key");
    }

    @Test
    void anUnknownKeyIs401InvalidApiKey() {
        refused(
                MockServerHttpRequest.post("/v1/chat/completions").header("Authorization", "Bearer wk-nope"),
                401,
                "invalid_api_key");
    }

    @Test
    void twoAuthorizationHeadersAre400() {
        refused(
                MockServerHttpRequest.post("/v1/chat/completions")
                        .header("Authorization", "Bearer " + FIXTURE.keys.acmeKey, "Bearer other"),
                400,
                "ambiguous_authorization");
    }

    private void refused(MockServerHttpRequest.BaseBuilder<?> request, int status, String code) {
        MockServerWebExchange exchange = StageFixture.exchange(request);
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        StepVerifier.create(stage.filter(exchange, chain))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ApiException.class);
                    assertThat(((ApiException) e).status().value()).isEqualTo(status);
                    assertThat(((ApiException) e).code()).isEqualTo(code);
                })
                .verify();
        assertThat(chain.calls).hasValue(0);
        assertThat(RequestState.of(exchange).tenantId()).isNull();
    }
}
