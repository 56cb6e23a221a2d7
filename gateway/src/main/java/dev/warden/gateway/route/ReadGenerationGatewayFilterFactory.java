package dev.warden.gateway.route;

import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.FlowConfiguration.RateLimitProperties;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.flow.StreamGuard;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ModelFeatures;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.OpenAiRequests;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.policy.tenant.Principal;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code ReadGeneration=chat} (or {@code =completion}): reads the body as an OpenAI chat or text completion
 * request, finds the model it names (404 or 503 when it cannot be served), and opens the request's audit record
 * and its token estimate (prompt plus {@code max_tokens}, or {@code warden.rate-limit.default-max-tokens}, per
 * choice). A body that cannot be read is refused here, before anything is metered or recorded.
 */
@Component
public class ReadGenerationGatewayFilterFactory
        extends AbstractGatewayFilterFactory<ReadGenerationGatewayFilterFactory.Config> {

    /** The purpose a request declares for the licence check; {@code chat} when absent. */
    public static final String PURPOSE_HEADER = "x-warden-purpose";

    private final RequestBodies bodies;
    private final ModelCatalog catalog;
    /** Narrows the forwarded body to what the model's server takes ({@code remote.server}). */
    private final ModelFeatures features;

    private final long defaultMaxTokens;

    public ReadGenerationGatewayFilterFactory(
            RequestBodies bodies, ModelCatalog catalog, RateLimitProperties limits, ModelFeatures features) {
        super(Config.class);
        this.bodies = bodies;
        this.catalog = catalog;
        this.features = features;
        this.defaultMaxTokens = limits.defaultMaxTokens() == null ? 512 : limits.defaultMaxTokens();
    }

    /** @param kind {@code chat} ({@code /v1/chat/completions}) or {@code completion} ({@code /v1/completions}) */
    public static final class Config {
        private String kind;

        public String getKind() {
            return kind;
        }

        public void setKind(String kind) {
            this.kind = kind;
        }
    }

    @Override
    public List<String> shortcutFieldOrder() {
        return List.of("kind");
    }

    @Override
    public GatewayFilter apply(Config config) {
        boolean chat =
                switch (config.getKind() == null ? "" : config.getKind()) {
                    case "chat" -> true;
                    case "completion" -> false;
                    default ->
                        throw new IllegalArgumentException(
                                "ReadGeneration takes 'chat' or 'completion', not '" + config.getKind() + "'");
                };
        return (exchange, chain) -> Mono.fromRunnable(() -> exchange.getResponse()
                        .getHeaders()
                        .set(InputGuardGatewayFilterFactory.DECISION_HEADER, InputGuardGatewayFilterFactory.NOT_JUDGED))
                // until the guard decides, the truthful answer is that nothing was judged
                .then(bodies.json(exchange))
                .map(bytes -> chat
                        ? GenerationCall.of(features.shape(OpenAiRequests.chat(bytes)))
                        : GenerationCall.of(features.shape(OpenAiRequests.completion(bytes))))
                .flatMap(call -> {
                    RequestState state = RequestState.of(exchange);
                    ServedModel model = catalog.require(call.model());
                    String purpose = exchange.getRequest().getHeaders().getFirst(PURPOSE_HEADER);
                    purpose = purpose == null || purpose.isBlank() ? "chat" : purpose.trim();
                    Principal principal = state.principal();
                    CallRecord record = new CallRecord(state.requestId(), principal)
                            .clientRequestId(state.clientRequestId())
                            .model(model.name())
                            .purpose(purpose)
                            .operation(chat ? "chat" : "text_completion")
                            .traceParent(exchange.getRequest().getHeaders().getFirst("traceparent"))
                            .prompt(call.promptText())
                            .streaming(
                                    call.stream(),
                                    call.stream()
                                            ? StreamGuard.wire(principal
                                                    .policy()
                                                    .streaming()
                                                    .mode())
                                            : null);
                    long estimate = call.estimatedPromptTokens()
                            + (call.maxTokens() == null ? defaultMaxTokens : call.maxTokens()) * (long) call.choices();
                    state.generation(call, model, purpose);
                    state.metered(record, model.name(), estimate);
                    return chain.filter(exchange);
                });
    }
}
