package dev.warden.gateway.responses;

import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.route.InputGuardGatewayFilterFactory;
import dev.warden.policy.tenant.Principal;
import java.time.Instant;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ArrayNode;

/**
 * Stage {@code ResponsesApi}, before {@code ReadGeneration=chat} on the {@code /v1/responses} route: the body is
 * translated into a chat completion request (the stages after it license, meter, guard, generate and audit it
 * exactly as one sent to {@code /v1/chat/completions}), and their chat answer is translated back into a Response
 * ({@link ChatAsResponses}). A finished response is stored for {@code previous_response_id} unless the request
 * said {@code store: false}. Every engine is spoken to in chat form.
 */
@Component
public class ResponsesApiGatewayFilterFactory
        extends AbstractGatewayFilterFactory<ResponsesApiGatewayFilterFactory.Config> {

    private final RequestBodies bodies;
    private final StoredResponses stored;

    public ResponsesApiGatewayFilterFactory(RequestBodies bodies, StoredResponses stored) {
        super(Config.class);
        this.bodies = bodies;
        this.stored = stored;
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public GatewayFilter apply(Config config) {
        return (exchange, chain) -> {
            exchange.getResponse()
                    .getHeaders()
                    .set(InputGuardGatewayFilterFactory.DECISION_HEADER, InputGuardGatewayFilterFactory.NOT_JUDGED);
            RequestState state = RequestState.of(exchange);
            Principal principal = state.principal();
            String tenant = principal.tenantId();
            return bodies.json(exchange).flatMap(bytes -> {
                ResponsesRequest parsed = ResponsesRequest.parse(bytes, id -> {
                    StoredResponses.Stored s = stored.get(tenant, id);
                    return s == null ? null : s.conversation();
                });
                ResponseObject response = new ResponseObject(
                        "resp_" + state.requestId(), Instant.now().getEpochSecond(), parsed.model(), parsed.echo());
                byte[] chat = parsed.chatBody();
                ServerHttpRequest request =
                        new ServerHttpRequestDecorator(exchange.getRequest()
                                .mutate()
                                .headers(h -> {
                                    h.setContentType(MediaType.APPLICATION_JSON);
                                    h.setContentLength(chat.length);
                                })
                                .build()) {
                            @Override
                            public Flux<DataBuffer> getBody() {
                                return Flux.defer(() -> Flux.just(
                                        exchange.getResponse().bufferFactory().wrap(chat)));
                            }
                        };
                ChatAsResponses answer = new ChatAsResponses(exchange.getResponse(), response, done -> {
                    if (parsed.store()) {
                        ArrayNode conversation = parsed.history().deepCopy();
                        conversation.addAll(done.assistantTurns());
                        stored.put(tenant, principal.policy().audit(), done.render(null), conversation);
                    }
                });
                return chain.filter(
                        exchange.mutate().request(request).response(answer).build());
            });
        };
    }
}
