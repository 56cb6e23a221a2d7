package dev.warden.gateway.web;

import org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's event loops are its own, not Reactor Netty's global ones ({@code HttpResources}). The HTTP server
 * and the remote engines ({@link dev.warden.gateway.models.EngineFactory}) run on them; the context disposes them
 * when it closes, after the server has stopped, and nothing else.
 *
 * <p>Spring Boot's default factory takes the global loops and disposes them when its context closes: with two
 * gateway contexts in one JVM (the test context cache, an application embedding the gateway), closing one stopped
 * the other's server and remote models once Reactor Netty's quiet period was over.
 */
@Configuration(proxyBeanMethods = false)
public class EventLoopsConfiguration {

    /** Thread names: {@code warden-http-epoll-N} (or {@code -nio-N}). */
    static final String LOOPS = "warden-http";

    /** Replaces Boot's factory of the same name; keeps its {@code spring.reactor.netty.shutdown-quiet-period}. */
    @Bean
    ReactorResourceFactory reactorResourceFactory(ReactorNettyProperties reactorNetty) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> LoopResources.create(LOOPS));
        if (reactorNetty.getShutdownQuietPeriod() != null) {
            factory.setShutdownQuietPeriod(reactorNetty.getShutdownQuietPeriod());
        }
        return factory;
    }
}
