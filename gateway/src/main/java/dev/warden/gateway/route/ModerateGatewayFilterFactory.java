package dev.warden.gateway.route;

import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.moderation.ModerationHandler;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;

/**
 * Stage {@code Moderate}, the last of a moderation route: runs the classifiers on the request read by
 * {@code ReadModeration}, settles the token estimate, records every verdict durably and answers
 * ({@link ModerationHandler#answer}).
 */
@Component
public class ModerateGatewayFilterFactory extends StageFactory {

    private final ModerationHandler moderation;
    private final ResponseWriter writer;

    public ModerateGatewayFilterFactory(ModerationHandler moderation, ResponseWriter writer) {
        this.moderation = moderation;
        this.writer = writer;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> writer.write(exchange, moderation.answer(RequestState.of(exchange)));
    }
}
