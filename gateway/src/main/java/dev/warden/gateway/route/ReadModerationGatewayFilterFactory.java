package dev.warden.gateway.route;

import dev.warden.gateway.moderation.ModerationHandler;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code ReadModeration=moderations} (or {@code =run-shield}): reads an OpenAI moderation or a Llama Stack
 * run-shield request and opens its audit record and token estimate (metered as
 * {@link ModerationHandler#GUARD_MODEL}); stage {@code Moderate} judges it.
 */
@Component
public class ReadModerationGatewayFilterFactory
        extends AbstractGatewayFilterFactory<ReadModerationGatewayFilterFactory.Config> {

    private final ModerationHandler moderation;

    public ReadModerationGatewayFilterFactory(ModerationHandler moderation) {
        super(Config.class);
        this.moderation = moderation;
    }

    /** @param kind {@code moderations} ({@code /v1/moderations}) or {@code run-shield} */
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
        return switch (config.getKind() == null ? "" : config.getKind()) {
            case "moderations" ->
                (exchange, chain) ->
                        moderation.readModerations(exchange).then(Mono.defer(() -> chain.filter(exchange)));
            case "run-shield" ->
                (exchange, chain) -> moderation.readRunShield(exchange).then(Mono.defer(() -> chain.filter(exchange)));
            default ->
                throw new IllegalArgumentException(
                        "ReadModeration takes 'moderations' or 'run-shield', " + "not '" + config.getKind() + "'");
        };
    }
}
