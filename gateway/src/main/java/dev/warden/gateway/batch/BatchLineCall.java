package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.gateway.api.OpenAiErrors;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.route.AuditGatewayFilterFactory;
import dev.warden.gateway.route.GenerateGatewayFilterFactory;
import dev.warden.gateway.route.InputBudgetGatewayFilterFactory;
import dev.warden.gateway.route.InputGuardGatewayFilterFactory;
import dev.warden.gateway.route.LicenceGatewayFilterFactory;
import dev.warden.gateway.route.OutputGuardGatewayFilterFactory;
import dev.warden.gateway.route.RateLimitGatewayFilterFactory;
import dev.warden.gateway.route.ReadGenerationGatewayFilterFactory;
import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.tenant.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The one seam where a batch line enters the request path: the line becomes an in-memory request to its endpoint
 * ({@link LineExchange}) that runs the stages of that endpoint's route in {@code application.yaml} after
 * {@code Authenticate} (the batch's principal stands in for the key): read, audit (with the batch id and the line's
 * {@code custom_id}), licence with the batch's declared purpose, input budget, rate limits, input guard, output guard
 * and the engine. Nothing else in the batch package knows how the request path is built; when a route's stages
 * change, the list here follows.
 */
public final class BatchLineCall {

    /** Response headers kept with a result line: what a live client would be shown beside the body. */
    private static final List<String> KEPT_HEADERS =
            List.of(LicenceGatewayFilterFactory.ATTRIBUTION_HEADER, InputGuardGatewayFilterFactory.DECISION_HEADER);

    private final Map<String, List<GatewayFilter>> stages;
    private final ServerCodecConfigurer codecs;

    public BatchLineCall(
            ReadGenerationGatewayFilterFactory read,
            AuditGatewayFilterFactory audit,
            LicenceGatewayFilterFactory licence,
            InputBudgetGatewayFilterFactory budget,
            RateLimitGatewayFilterFactory limits,
            InputGuardGatewayFilterFactory input,
            OutputGuardGatewayFilterFactory output,
            GenerateGatewayFilterFactory generate,
            ServerCodecConfigurer codecs) {
        this.codecs = codecs;
        List<GatewayFilter> after = List.of(
                stage(audit),
                stage(licence),
                stage(budget),
                stage(limits),
                stage(input),
                stage(output),
                stage(generate));
        this.stages = Map.of(
                "/v1/chat/completions",
                route(read, "chat", after),
                "/v1/completions",
                route(read, "completion", after));
    }

    private static List<GatewayFilter> route(
            ReadGenerationGatewayFilterFactory read, String kind, List<GatewayFilter> after) {
        ReadGenerationGatewayFilterFactory.Config config = new ReadGenerationGatewayFilterFactory.Config();
        config.setKind(kind);
        List<GatewayFilter> all = new java.util.ArrayList<>();
        all.add(read.apply(config));
        all.add(BatchLineCall::tagRecord);
        all.addAll(after);
        return List.copyOf(all);
    }

    private static <C> GatewayFilter stage(GatewayFilterFactory<C> factory) {
        return factory.apply(factory.newConfig());
    }

    /** Right after the record is opened: it carries the line's batch id and custom_id into the audit log. */
    private static Mono<Void> tagRecord(ServerWebExchange exchange, GatewayFilterChain chain) {
        AuditRecord.Batch batch = exchange.getAttribute(BATCH_ATTRIBUTE);
        RequestState.of(exchange).record().batch(batch);
        return chain.filter(exchange);
    }

    private static final String BATCH_ATTRIBUTE = BatchLineCall.class.getName() + ".batch";

    Mono<LineOutcome> run(BatchJob job, Principal principal, InputLine line) {
        String requestId = RequestIds.fresh();
        HttpHeaders headers = new HttpHeaders();
        headers.set(ReadGenerationGatewayFilterFactory.PURPOSE_HEADER, job.purpose);
        if (job.derivativeModel != null) {
            headers.set(LicenceGatewayFilterFactory.DERIVATIVE_HEADER, job.derivativeModel);
        }
        LineExchange line0 = new LineExchange(line, headers, codecs);
        ServerWebExchange exchange = line0.exchange();
        RequestState.open(exchange, requestId, null).authenticated(principal);
        exchange.getAttributes().put(BATCH_ATTRIBUTE, AuditRecord.Batch.line(job.id, line.customId()));
        return Mono.defer(() -> new Chain(stages.get(line.url()), 0).filter(exchange))
                .then(Mono.fromSupplier(
                        () -> new LineOutcome(line0.status(), line0.body(), requestId, kept(line0.headers()), null)))
                .onErrorResume(e -> {
                    ApiException api = Errors.toApi(e);
                    return Mono.just(new LineOutcome(
                            api.status().value(),
                            OpenAiErrors.bytes(api),
                            requestId,
                            kept(line0.headers()),
                            api.retryAfter()));
                });
    }

    private static Map<String, String> kept(HttpHeaders headers) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : KEPT_HEADERS) {
            String value = headers.getFirst(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        return kept;
    }

    /** The stages in order, each handing on to the next; the last one answers. */
    private record Chain(List<GatewayFilter> filters, int index) implements GatewayFilterChain {
        @Override
        public Mono<Void> filter(ServerWebExchange exchange) {
            if (index >= filters.size()) {
                return Mono.empty();
            }
            return filters.get(index).filter(exchange, new Chain(filters, index + 1));
        }
    }
}
