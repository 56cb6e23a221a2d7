package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.tenant.Principal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;

/** Stages {@code InputBudget} and {@code InputGuard} alone, with the content-rules classifier and real policies. */
@Timeout(60)
class InputStagesTest {

    private static final StageFixture FIXTURE = new StageFixture();

    @AfterAll
    static void close() {
        FIXTURE.close();
    }

    @Test
    void moreTextThanTheTenantJudgesIs413AndRecordedBeforeAnythingElse() {
        Principal acme = FIXTURE.principal(FIXTURE.keys.acmeKey);
        long max = acme.policy().guard().maxInputChars();
        MockServerWebExchange exchange = chat(acme, "req_long", "x".repeat((int) max + 1));
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        StepVerifier.create(new InputBudgetGatewayFilterFactory(FIXTURE.audit)
                        .apply(new StageFactory.Config())
                        .filter(exchange, chain))
                .expectErrorSatisfies(e -> {
                    assertThat(((ApiException) e).status().value()).isEqualTo(413);
                    assertThat(((ApiException) e).code()).isEqualTo("input_too_long_to_judge");
                    assertThat(((ApiException) e).param()).isEqualTo("messages");
                })
                .verify();
        assertThat(chain.calls).hasValue(0);
        assertThat(FIXTURE.records("acme", 1)).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(Outcome.BLOCKED_INPUT));
    }

    @Test
    void aRequestThatFitsGoesOnWithoutClaimingAGuardRan() {
        MockServerWebExchange exchange = chat(FIXTURE.principal(FIXTURE.keys.localKey), "req_fits", "hello");
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        StepVerifier.create(new InputBudgetGatewayFilterFactory(FIXTURE.audit)
                        .apply(new StageFactory.Config())
                        .filter(exchange, chain))
                .verifyComplete();
        assertThat(chain.calls).hasValue(1);
        // the judging stages name the classifiers that ran (InputGuard, Generate); the budget judges nothing
        assertThat(exchange.getResponse().getHeaders().getFirst("x-warden-guard-input"))
                .isNull();
        assertThat(exchange.getResponse().getHeaders().getFirst("x-warden-guard-output"))
                .isNull();
    }

    @Test
    void aRedactionRewritesTheCallBeforeItGoesOn() {
        Principal acme = FIXTURE.principal(FIXTURE.keys.acmeKey);
        MockServerWebExchange exchange = chat(acme, "req_card", "my card is 4111 1111 1111 1111, thanks");
        StageFixture.CountingChain chain = new StageFixture.CountingChain();
        StepVerifier.create(new InputGuardGatewayFilterFactory(FIXTURE.guards, FIXTURE.audit)
                        .apply(new StageFactory.Config())
                        .filter(exchange, chain))
                .verifyComplete();
        assertThat(chain.calls).hasValue(1);
        assertThat(exchange.getResponse().getHeaders().getFirst("x-warden-decision"))
                .isEqualTo("redact");
        assertThat(exchange.getResponse().getHeaders().getFirst("x-warden-guard-input"))
                .isEqualTo("content-rules");
        String sent = RequestState.of(exchange).call().conversation().get(0).content();
        assertThat(sent).doesNotContain("4111").contains("thanks");
    }

    private static MockServerWebExchange chat(Principal principal, String id, String text) {
        MockServerWebExchange exchange = StageFixture.exchange(MockServerHttpRequest.post("/v1/chat/completions"));
        RequestState state = RequestState.open(exchange, id, null);
        state.authenticated(principal);
        GenerationCall call = GenerationCall.of(OpenAiRequests.chat(
                ("{\"model\":\"m\",\"messages\":[{\"role\":" + "\"user\",\"content\":\"" + text + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8)));
        state.generation(call, null, "chat");
        state.metered(new CallRecord(id, principal).model("m").prompt(call.promptText()), "m", 10);
        return exchange;
    }
}
