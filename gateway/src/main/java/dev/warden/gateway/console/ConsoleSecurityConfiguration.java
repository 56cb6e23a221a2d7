package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminActions;
import dev.warden.gateway.admin.AdminIdentity;
import dev.warden.gateway.admin.AdminKeys;
import dev.warden.gateway.admin.AdminProperties;
import dev.warden.policy.tenant.ApiKeys;
import dev.warden.policy.tenant.TenantDirectory;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.DefaultServerRedirectStrategy;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerRedirectStrategy;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authentication.ServerAuthenticationSuccessHandler;
import org.springframework.security.web.server.authentication.logout.ServerLogoutSuccessHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.WebSessionServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import org.springframework.web.server.session.CookieWebSessionIdResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.InMemoryWebSessionStore;
import org.springframework.web.server.session.WebSessionManager;
import reactor.core.publisher.Mono;

/**
 * Sign-in, session and CSRF for the console, with Spring Security, and for nothing else: its one filter chain
 * matches {@code /console} and below only ({@code securityMatcher}), so {@code /v1}, {@code /admin} and the
 * actuator keep their own key checks (the Authenticate stage, AdminAuthFilter) exactly as before; no other chain
 * exists, so Spring Boot's default one (which would secure every path) is not made either, and Spring Security's
 * web filter itself runs only on the console's paths ({@link ConsoleScopedSecurity}).
 * <p>
 * Sign-in is the form at {@code /console/login} with one field, {@code key}: an admin or auditor key
 * ({@link AdminKeys}). The session then holds the key's {@link AdminIdentity} only, never the key. The session
 * cookie is {@code HttpOnly}, {@code SameSite=Strict}, scoped to {@code /console}, optionally {@code Secure}; a
 * session unused for {@code warden.console.idle-timeout} expires. Every POST needs the session's CSRF token (Spring
 * Security's default), sign-out included.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(ConsoleProperties.class)
public class ConsoleSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSecurityConfiguration.class);

    /** The session cookie's name: not the framework's default, so that it says whose it is. */
    public static final String SESSION_COOKIE = "WARDEN_CONSOLE";

    static final String LOGIN = "/console/login";

    /** Static: a post-processor must exist before the beans it wraps. */
    @Bean
    static ConsoleScopedSecurity consoleScopedSecurity() {
        return new ConsoleScopedSecurity();
    }

    @Bean
    SecurityWebFilterChain consoleSecurity(
            ServerHttpSecurity http,
            AdminProperties admin,
            ConsoleProperties console,
            ReactiveAuthenticationManager authentication,
            AdminActions actions) {
        ServerRedirectStrategy redirects = new DefaultServerRedirectStrategy();
        WebSessionServerSecurityContextRepository contexts = new WebSessionServerSecurityContextRepository();
        http.securityMatcher(ServerWebExchangeMatchers.pathMatchers("/console", "/console/**"))
                .securityContextRepository(contexts)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .requestCache(cache -> cache.disable())
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                + "frame-ancestors 'none'; base-uri 'none'")))
                .exceptionHandling(e -> e.authenticationEntryPoint(new RedirectServerAuthenticationEntryPoint(LOGIN))
                        .accessDeniedHandler(refused(actions)))
                .logout(logout -> logout.logoutUrl("/console/logout").logoutSuccessHandler(signedOut(actions)));
        if (!admin.enabled() || !console.enabled()) {
            // The router answers 404 for every console path; nothing to sign in to.
            return http.authorizeExchange(a -> a.anyExchange().permitAll()).build();
        }
        AuthenticationWebFilter signIn = new AuthenticationWebFilter(authentication);
        signIn.setRequiresAuthenticationMatcher(ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST, LOGIN));
        signIn.setServerAuthenticationConverter(exchange -> exchange.getFormData()
                .mapNotNull(form -> form.getFirst("key"))
                .<Authentication>map(key -> UsernamePasswordAuthenticationToken.unauthenticated("console", key.strip()))
                .switchIfEmpty(Mono.error(new BadCredentialsException("no key"))));
        signIn.setSecurityContextRepository(contexts);
        signIn.setAuthenticationSuccessHandler(signedIn(actions, redirects));
        signIn.setAuthenticationFailureHandler(failed(actions, redirects));
        return http.authorizeExchange(a -> a.pathMatchers(LOGIN, "/console/console.css")
                        .permitAll()
                        .pathMatchers(HttpMethod.POST, "/console/retention/run")
                        .hasRole("ADMIN")
                        .anyExchange()
                        .hasAnyRole("ADMIN", "AUDITOR"))
                .addFilterAt(signIn, SecurityWebFiltersOrder.FORM_LOGIN)
                .build();
    }

    /**
     * Admin keys against the configured hashes; a key that is also a tenant's is refused here as on the admin API.
     * The resulting authentication carries no credentials. A bean, so that Spring Boot makes no user of its own
     * (and logs no generated password that opens nothing).
     */
    @Bean
    ReactiveAuthenticationManager consoleAuthentication(AdminKeys keys, TenantDirectory tenants) {
        return presented -> Mono.fromCallable(() -> {
            String key = String.valueOf(presented.getCredentials());
            AdminIdentity identity =
                    keys.identify(key).orElseThrow(() -> new BadCredentialsException("not an admin key"));
            if (tenants.authenticate(key).isPresent()) {
                log.error("admin key {} is also a tenant API key; console sign-in refused", identity.keyId());
                throw new BadCredentialsException("admin key is a tenant key");
            }
            return (Authentication) UsernamePasswordAuthenticationToken.authenticated(
                    identity, null, ConsoleUser.authorities(identity));
        });
    }

    private static ServerAuthenticationSuccessHandler signedIn(AdminActions actions, ServerRedirectStrategy to) {
        return (webFilterExchange, authentication) -> {
            ServerWebExchange exchange = webFilterExchange.getExchange();
            AdminIdentity who = (AdminIdentity) authentication.getPrincipal();
            actions.recordDetached(
                    exchange,
                    AdminActions.Action.SIGN_IN,
                    who,
                    null,
                    Map.of("role", who.role().id()));
            log.info("console sign-in: {} key {}", who.role().id(), who.keyId());
            return to.sendRedirect(exchange, URI.create("/console"));
        };
    }

    private static ServerAuthenticationFailureHandler failed(AdminActions actions, ServerRedirectStrategy to) {
        return (webFilterExchange, e) -> {
            ServerWebExchange exchange = webFilterExchange.getExchange();
            return exchange.getFormData()
                    .map(form -> {
                        String key = form.getFirst("key");
                        // Only the id of something shaped like a key: garbage identifies nothing worth looking up.
                        String keyId = key != null && ApiKeys.looksLikeKey(key.strip())
                                ? ApiKeys.keyId(ApiKeys.hash(key.strip()))
                                : null;
                        return keyId == null ? "" : keyId;
                    })
                    .defaultIfEmpty("")
                    .flatMap(keyId -> {
                        actions.recordDetached(
                                exchange,
                                AdminActions.Action.SIGN_IN_FAILED,
                                null,
                                null,
                                keyId.isEmpty() ? Map.of() : Map.of("presentedKeyId", keyId));
                        log.warn("console sign-in refused{}", keyId.isEmpty() ? "" : " (key id " + keyId + ")");
                        return to.sendRedirect(exchange, URI.create(LOGIN + "?error"));
                    });
        };
    }

    private static ServerLogoutSuccessHandler signedOut(AdminActions actions) {
        ServerRedirectStrategy to = new DefaultServerRedirectStrategy();
        return (webFilterExchange, authentication) -> {
            if (authentication != null && authentication.getPrincipal() instanceof AdminIdentity who) {
                actions.recordDetached(
                        webFilterExchange.getExchange(), AdminActions.Action.SIGN_OUT, who, null, Map.of());
            }
            return to.sendRedirect(webFilterExchange.getExchange(), URI.create(LOGIN + "?signed-out"));
        };
    }

    /** 403 as a page; a signed-in auditor trying an admin's action is on the record. */
    private static ServerAccessDeniedHandler refused(AdminActions actions) {
        return (exchange, denied) -> exchange.getPrincipal()
                .flatMap(p -> {
                    AdminIdentity who = ConsoleUser.of(p);
                    actions.recordDetached(exchange, AdminActions.Action.REFUSED, who, null, Map.of("status", 403));
                    return Mono.just(who);
                })
                .then(Mono.defer(() -> ConsolePages.writeRefusal(
                        exchange,
                        HttpStatus.FORBIDDEN,
                        "Not allowed",
                        "This needs an admin key; your key's role only reads.")));
    }

    /**
     * The session store: in memory, per instance (behind several replicas, route a browser to one of them), each
     * session expiring after the idle timeout; the cookie set as the class comment says. Sessions are made only
     * under {@code /console}: nothing else asks for one.
     */
    @Bean(name = WebHttpHandlerBuilder.WEB_SESSION_MANAGER_BEAN_NAME)
    WebSessionManager webSessionManager(ConsoleProperties console) {
        Duration idle = console.idleTimeout();
        InMemoryWebSessionStore store = new InMemoryWebSessionStore() {
            @Override
            public Mono<WebSession> createWebSession() {
                return super.createWebSession().doOnNext(session -> session.setMaxIdleTime(idle));
            }
        };
        store.setMaxSessions(console.maxSessions());
        CookieWebSessionIdResolver cookies = new CookieWebSessionIdResolver();
        cookies.setCookieName(SESSION_COOKIE);
        cookies.setCookieMaxAge(Duration.ofSeconds(-1));
        cookies.addCookieInitializer(cookie ->
                cookie.httpOnly(true).sameSite("Strict").path("/console").secure(console.secureCookie()));
        DefaultWebSessionManager sessions = new DefaultWebSessionManager();
        sessions.setSessionStore(store);
        sessions.setSessionIdResolver(cookies);
        return sessions;
    }
}
