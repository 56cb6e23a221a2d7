package dev.warden.gateway.audit;

import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.RefusedAuthentication;
import dev.warden.policy.tenant.ApiKeys;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.springframework.web.server.ServerWebExchange;

/**
 * Puts refused authentications (401 on {@code /v1}) in the audit log's reserved chain
 * ({@link RefusedAuthentication#CHAIN}), at most {@code warden.audit.auth-failures-per-second} of them per
 * instance. The limit is a local bucket: whoever sprays bad keys decides how many 401s there are, and unbounded
 * they would fill the disk and queue up ahead of the records of served requests on the one writer thread. Beyond
 * it a refusal is only counted ({@code warden_audit_auth_failures_dropped_total}).
 */
public final class AuthFailureAudit {

    private final AuditTrail trail;
    /** Null when the rate is 0: nothing is recorded, everything counted. */
    private final Bucket budget;

    private final Counter dropped;

    public AuthFailureAudit(AuditTrail trail, int perSecond, MeterRegistry metrics) {
        this.trail = trail;
        this.budget = perSecond <= 0
                ? null
                : Bucket.builder()
                        .addLimit(Bandwidth.builder()
                                .capacity(perSecond)
                                .refillGreedy(perSecond, Duration.ofSeconds(1))
                                .build())
                        .build();
        this.dropped = metrics.counter("warden.audit.auth.failures.dropped");
    }

    /**
     * Records the refusal without waiting for it to be durable. Nothing was served, so there is no answer whose
     * record a crash could lose; waiting would only let a client holding no key slow the gateway down to the
     * audit store's pace (or refuse it outright while the store is down). A record that cannot be kept is
     * counted in {@code warden_audit_failures_total} and logged (at most the admitted rate of lines).
     *
     * @param presentedKey the key as sent, or null; only its id is recorded, and only if it looks like a key
     */
    public void refused(ServerWebExchange exchange, String reason, String presentedKey) {
        refused(exchange, reason, presentedKey, 401);
    }

    /** A refusal answered with another status than 401 (400 for a non-canonical path or two Authorization headers). */
    public void refused(ServerWebExchange exchange, String reason, String presentedKey, int httpStatus) {
        if (!trail.enabled()) {
            return;
        }
        if (budget == null || !budget.tryConsume(1)) {
            dropped.increment();
            return;
        }
        RequestState state = RequestState.of(exchange);
        AuditRecord record = RefusedAuthentication.record(
                state.requestId(),
                Instant.now(),
                exchange.getRequest().getPath().value(),
                clientAddress(exchange),
                reason,
                keyId(presentedKey));
        trail.appendDetached(record.toBuilder()
                .httpStatus(httpStatus)
                .clientRequestId(state.clientRequestId())
                .build());
    }

    /** How many refusals would be recorded right now, before the rest are only counted; 0 when the rate is 0. */
    public long budgetLeft() {
        return budget == null ? 0 : budget.getAvailableTokens();
    }

    /** Garbage is not hashed: its id would identify nothing an administrator could look up. */
    static String keyId(String presentedKey) {
        return ApiKeys.looksLikeKey(presentedKey) ? ApiKeys.keyId(ApiKeys.hash(presentedKey)) : null;
    }

    /** The TCP peer; no forwarding header is trusted, since any client can send one. */
    private static String clientAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return null;
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
