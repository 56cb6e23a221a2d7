package dev.warden.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.web.server.MatcherSecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

class ConsoleScopedSecurityTest {

    /** Runs the wrapped security filter for a path; true when its (console) chain saw the request. */
    private static boolean securityRan(String path) {
        AtomicBoolean ran = new AtomicBoolean();
        WebFilter marker = (exchange, chain) -> {
            ran.set(true);
            return chain.filter(exchange);
        };
        WebFilterChainProxy proxy = new WebFilterChainProxy(
                new MatcherSecurityWebFilterChain(ServerWebExchangeMatchers.anyExchange(), java.util.List.of(marker)));
        Object wrapped = new ConsoleScopedSecurity().postProcessAfterInitialization(proxy, "springSecurity");
        MockServerWebExchange exchange =
                MockServerWebExchange.from(MockServerHttpRequest.get(path).build());
        ((WebFilter) wrapped).filter(exchange, e -> Mono.empty()).block(java.time.Duration.ofSeconds(5));
        return ran.get();
    }

    @Test
    void springSecurityRunsOnTheConsoleOnly() {
        assertThat(securityRan("/console")).isTrue();
        assertThat(securityRan("/console/login")).isTrue();
        assertThat(securityRan("/v1/chat/completions")).isFalse();
        assertThat(securityRan("/admin/audit")).isFalse();
        assertThat(securityRan("/consoles")).isFalse();
    }

    @Test
    void keepsSpringSecuritysPlaceInTheFilterOrder() {
        WebFilterChainProxy proxy = new WebFilterChainProxy(java.util.List.of());
        Object wrapped = new ConsoleScopedSecurity().postProcessAfterInitialization(proxy, "springSecurity");
        assertThat(((org.springframework.core.Ordered) wrapped).getOrder()).isEqualTo(-100);
        Object other = new Object();
        assertThat(new ConsoleScopedSecurity().postProcessAfterInitialization(other, "other"))
                .isSameAs(other);
    }
}
