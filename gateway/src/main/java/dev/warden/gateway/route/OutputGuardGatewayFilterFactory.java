package dev.warden.gateway.route;

import dev.warden.gateway.flow.OutputGuard;
import dev.warden.gateway.flow.RequestState;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;

/**
 * Stage {@code OutputGuard}: what the engine generates is judged before it reaches the client ({@link OutputGuard}:
 * choice by choice for a complete response, window by window in the tenant's streaming mode for a stream). The
 * engine stage after it runs the call and sends only what this guard released; without this stage on its route
 * the engine stage refuses to run (500), so a route cannot send generated text unjudged by leaving it out.
 */
@Component
public class OutputGuardGatewayFilterFactory extends StageFactory {

    private final OutputGuard output;

    public OutputGuardGatewayFilterFactory(OutputGuard output) {
        this.output = output;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState.of(exchange).outputGuard(output);
            return chain.filter(exchange);
        };
    }
}
