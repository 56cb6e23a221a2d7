package dev.warden.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.RequestState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The stages that end a route, and the route arguments they refuse. */
@Timeout(30)
class TerminalStagesTest {

    /** Only for the guards a stage is built with; nothing here writes audit records. */
    private static final StageFixture GUARDS = new StageFixture();

    private final GatewayFilter unknown = new UnknownEndpointGatewayFilterFactory().apply(new StageFactory.Config());

    @Test
    void aKnownPathWithAnotherMethodIs405() {
        expect(unknown, MockServerHttpRequest.get("/v1/chat/completions"), 405, "method_not_allowed");
        expect(unknown, MockServerHttpRequest.delete("/v1/models/m"), 405, "method_not_allowed");
    }

    @Test
    void anythingElseUnderV1Is404() {
        expect(unknown, MockServerHttpRequest.post("/v1/audio/speech"), 404, "not_found");
    }

    @Test
    void generateRefusesToRunWithoutAnOutputGuardOnItsRoute() {
        GatewayFilter generate = new GenerateGatewayFilterFactory(
                        null, new ResponseWriter(ServerCodecConfigurer.create()), GUARDS.guards)
                .apply(new StageFactory.Config());
        MockServerWebExchange exchange = StageFixture.exchange(MockServerHttpRequest.post("/v1/chat/completions"));
        RequestState.open(exchange, "req_1", null);
        StepVerifier.create(Mono.defer(() -> generate.filter(exchange, ex -> Mono.empty())))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessageContaining("OutputGuard"))
                .verify();
    }

    @Test
    void readGenerationTakesOnlyChatOrCompletion() {
        ReadGenerationGatewayFilterFactory.Config config = new ReadGenerationGatewayFilterFactory.Config();
        config.setKind("embeddings");
        assertThatThrownBy(() -> new ReadGenerationGatewayFilterFactory(
                                null,
                                null,
                                new dev.warden.gateway.flow.FlowConfiguration.RateLimitProperties(
                                        null, null, null, null),
                                null)
                        .apply(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings");
    }

    private static void expect(
            GatewayFilter stage, MockServerHttpRequest.BaseBuilder<?> request, int status, String code) {
        StepVerifier.create(stage.filter(StageFixture.exchange(request), ex -> Mono.empty()))
                .expectErrorSatisfies(e -> {
                    assertThat(((ApiException) e).status().value()).isEqualTo(status);
                    assertThat(((ApiException) e).code()).isEqualTo(code);
                })
                .verify();
    }
}
