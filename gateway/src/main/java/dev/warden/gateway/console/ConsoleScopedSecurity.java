package dev.warden.gateway.console;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Keeps Spring Security's web filter on the console's paths. Its only chain matches {@code /console} and below,
 * yet the filter itself would still run on every other request: wrap the exchange in its strict firewall (which
 * re-validates every header through a regular expression), evaluate the console's matchers and open observations
 * around a chain that does not apply. On the {@code /v1} path that cost more than a third of the gateway's own
 * allocation per proxied request. The paths it now skips have their own checks: the canonical-path filter runs
 * first on every path, the route stages and the admin key filter authenticate.
 */
final class ConsoleScopedSecurity implements BeanPostProcessor {

    /** Where Spring Security orders its filter (WebFluxSecurityConfiguration's package-private constant). */
    static final int SECURITY_FILTER_ORDER = -100;

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        return bean instanceof WebFilterChainProxy proxy ? new ConsoleOnly(proxy) : bean;
    }

    /** Spring Security's filter, run only for {@code /console} and below. */
    static final class ConsoleOnly implements WebFilter, Ordered {

        private final WebFilterChainProxy security;

        ConsoleOnly(WebFilterChainProxy security) {
            this.security = security;
        }

        static boolean console(String path) {
            return path.equals("/console") || path.startsWith("/console/");
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            return console(exchange.getRequest()
                            .getPath()
                            .pathWithinApplication()
                            .value())
                    ? security.filter(exchange, chain)
                    : chain.filter(exchange);
        }

        @Override
        public int getOrder() {
            return SECURITY_FILTER_ORDER;
        }
    }
}
