package dev.warden.gateway.route;

import dev.warden.gateway.TestTenants;
import dev.warden.gateway.audit.AuthFailureAudit;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RateLimitStage;
import dev.warden.guard.pipeline.GuardPipeline;
import dev.warden.guard.rules.ContentRules;
import dev.warden.guard.rules.ContentRulesClassifier;
import dev.warden.guard.rules.Redactor;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditLogConfig;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStores;
import dev.warden.policy.audit.FingerprintKey;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.ratelimit.RateLimiter;
import dev.warden.policy.ratelimit.RateLimiterOptions;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The real parts a stage needs, without the application: the test tenants file, the content-rules classifier, an
 * in-process rate limiter and an audit log on a SQLite file of its own. Stages are run on mock exchanges with a
 * chain that counts how often it was reached.
 */
final class StageFixture implements AutoCloseable {

    final TestTenants keys = TestTenants.create();
    final TenantDirectory tenants =
            TenantDirectory.load(keys.file, LicenceCatalog.load(TestTenants.CONFIG.resolve("licences")));
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final Guards guards = new Guards(
            GuardPipeline.builder()
                    .stage(new ContentRulesClassifier(), Duration.ofSeconds(10))
                    .build(),
            null,
            tenants,
            new Redactor(new ContentRules()),
            metrics);
    final AuditLog auditLog;
    final AuditTrail audit;
    final RateLimiter limiter = RateLimiter.create(RateLimiterOptions.local());
    final ExecutorService handOff = Executors.newFixedThreadPool(2);
    final RateLimitStage limits;
    final AuthFailureAudit authFailures;

    StageFixture() {
        try {
            Path dir = Files.createTempDirectory("warden-stage");
            auditLog = new AuditLog(
                    AuditStores.open(dir.resolve("audit.db").toString()),
                    AuditLogConfig.defaults().withSpillFile(dir.resolve("spill.jsonl")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        audit = new AuditTrail(
                auditLog,
                guards.redactor(),
                FingerprintKey.ofBase64(Base64.getEncoder().encodeToString(new byte[32])),
                metrics,
                true);
        limits = new RateLimitStage(limiter, handOff, audit);
        authFailures = new AuthFailureAudit(audit, 100, metrics);
    }

    Principal principal(String key) {
        return tenants.authenticate(key).orElseThrow();
    }

    static MockServerWebExchange exchange(MockServerHttpRequest.BaseBuilder<?> request) {
        return MockServerWebExchange.from(request);
    }

    /** A chain that counts how often a stage handed the request on, and completes. */
    static final class CountingChain implements GatewayFilterChain {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Mono<Void> filter(org.springframework.web.server.ServerWebExchange exchange) {
            calls.incrementAndGet();
            return Mono.empty();
        }
    }

    /** The tenant's records in chain order, once there are at least {@code count} (polled, at most 10 s). */
    List<AuditRecord> records(String tenant, int count) {
        return Flux.interval(Duration.ofMillis(20))
                .map(i ->
                        auditLog
                                .store()
                                .query(AuditQuery.builder()
                                        .tenant(tenant)
                                        .limit(100)
                                        .build())
                                .entries()
                                .stream()
                                .sorted(Comparator.comparingLong(e -> e.seq()))
                                .map(e -> (AuditRecord) e.entry())
                                .toList())
                .filter(records -> records.size() >= count)
                .blockFirst(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        handOff.shutdownNow();
        limiter.close();
        auditLog.close();
    }
}
