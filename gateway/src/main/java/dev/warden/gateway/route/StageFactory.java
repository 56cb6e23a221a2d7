package dev.warden.gateway.route;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

/**
 * A stage of the request path that takes no arguments in the route configuration ({@code - Audit}): the factory
 * is the stage, configured once by its constructor, so every route that names it gets the same filter.
 */
abstract class StageFactory extends AbstractGatewayFilterFactory<StageFactory.Config> {

    StageFactory() {
        super(Config.class);
    }

    /** Nothing to configure per route. */
    public static final class Config {}

    @Override
    public final GatewayFilter apply(Config config) {
        return filter();
    }

    abstract GatewayFilter filter();
}
