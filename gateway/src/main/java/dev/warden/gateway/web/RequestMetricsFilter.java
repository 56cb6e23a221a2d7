package dev.warden.gateway.web;

import dev.warden.gateway.flow.RequestState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Counts and times every API request, labelled by route, tenant and status, as {@code warden_http_requests_*}.
 * Streams are timed to their last byte. Unknown paths share one route label so a scanner cannot blow up the
 * number of series.
 * <p>
 * A web filter, not a route stage: it times {@code /admin} too, and refusals made before a route is chosen.
 */
@Component
public class RequestMetricsFilter implements WebFilter, Ordered {

    private static final Set<String> ROUTES = Set.of(
            "/v1/chat/completions",
            "/v1/completions",
            "/v1/models",
            "/v1/moderations",
            "/v1/safety/run-shield",
            "/v1/responses",
            "/v1/embeddings");

    private final MeterRegistry registry;
    /** Timers by route, tenant and status: looked up once, not rebuilt and re-registered on every request. */
    private final java.util.concurrent.ConcurrentMap<TimerKey, Timer> timers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Built on every request: a record hashes the labels' cached hashes instead of a new concatenated string. */
    private record TimerKey(String route, String tenant, String status) {}

    public RequestMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    private Timer timer(String route, String tenant, String status) {
        return timers.computeIfAbsent(new TimerKey(route, tenant, status), key -> Timer.builder("warden.http.requests")
                .description("API requests handled by the gateway, to the last byte of the response")
                .tag("route", route)
                .tag("tenant", tenant)
                .tag("status", status)
                .publishPercentileHistogram()
                .register(registry));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/v1/") && !path.startsWith("/admin/")) {
            return chain.filter(exchange);
        }
        long start = System.nanoTime();
        return chain.filter(exchange).doFinally(signal -> {
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            String tenant = RequestState.of(exchange).tenantId();
            timer(
                            route(path),
                            tenant == null ? "none" : tenant,
                            status == null ? "200" : Integer.toString(status.value()))
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
    }

    static String route(String path) {
        if (ROUTES.contains(path)) {
            return path;
        }
        if (path.startsWith("/v1/models/")) {
            return "/v1/models/{model}";
        }
        if (path.startsWith("/v1/responses/")) {
            return "/v1/responses/{id}";
        }
        return path.startsWith("/admin/") ? "/admin" : "other";
    }

    @Override
    public int getOrder() {
        return WebFilterOrder.METRICS;
    }
}
