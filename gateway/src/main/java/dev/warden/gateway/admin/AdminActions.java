package dev.warden.gateway.admin;

import dev.warden.gateway.web.RequestIds;
import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditRecord;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Puts what admins and auditors do on the record, in the audit log's reserved chain {@link AdminAction#CHAIN}:
 * the same store, hash chain, checkpoints and verifier as the requests' records. Actions that hand out or delete
 * data (content views, exports, retention runs) wait until their record is durable, so there is no export without
 * its trace; sign-ins are recorded without waiting.
 * <p>
 * Failed sign-ins are the one kind a stranger decides the number of, so they share a local budget
 * ({@value #FAILED_SIGN_INS_PER_SECOND}/s) like refused tenant keys do; beyond it they are only counted
 * ({@code warden_admin_sign_in_failures_dropped_total}).
 */
public final class AdminActions {

    private static final Logger log = LoggerFactory.getLogger(AdminActions.class);

    static final int FAILED_SIGN_INS_PER_SECOND = 20;

    private final AuditLog auditLog;
    private final boolean enabled;
    private final Bucket failedBudget = Bucket.builder().addLimit(Bandwidth.builder()
            .capacity(FAILED_SIGN_INS_PER_SECOND).refillGreedy(FAILED_SIGN_INS_PER_SECOND, Duration.ofSeconds(1))
            .build()).build();
    private final Counter dropped;
    private final Counter failures;

    public AdminActions(AuditLog auditLog, boolean enabled, MeterRegistry metrics) {
        this.auditLog = auditLog;
        this.enabled = enabled;
        this.dropped = metrics.counter("warden.admin.sign.in.failures.dropped");
        this.failures = metrics.counter("warden.admin.actions.failures");
    }

    /**
     * Records {@code type} done by {@code who} (null for a failed sign-in) and completes once the record is
     * durable; fails when it cannot be kept, so that the action itself does not happen unrecorded.
     */
    public Mono<Void> record(ServerWebExchange exchange, AdminAction.Type type, AdminIdentity who, String subject,
                             int httpStatus) {
        if (!enabled) {
            return Mono.empty();
        }
        AuditRecord record = build(exchange, type, who, subject, httpStatus);
        return Mono.fromFuture(() -> auditLog.append(record)).doOnError(e -> {
            failures.increment();
            log.error("admin action {} of key {} could not be recorded: {}", type.id(),
                    who == null ? "-" : who.keyId(), e.toString());
        });
    }

    /** Records without waiting: sign-ins, sign-outs and refusals, where nothing was handed out. */
    public void recordDetached(ServerWebExchange exchange, AdminAction.Type type, AdminIdentity who, String subject,
                               int httpStatus) {
        if (!enabled) {
            return;
        }
        if (type == AdminAction.Type.SIGN_IN_FAILED && !failedBudget.tryConsume(1)) {
            dropped.increment();
            return;
        }
        AuditRecord record = build(exchange, type, who, subject, httpStatus);
        auditLog.append(record).whenComplete((ok, e) -> {
            if (e != null) {
                failures.increment();
                log.error("admin action {} could not be recorded: {}", type.id(), e.toString());
            }
        });
    }

    private static AuditRecord build(ServerWebExchange exchange, AdminAction.Type type, AdminIdentity who,
                                     String subject, int httpStatus) {
        return AdminAction.record(RequestIds.of(exchange), Instant.now(), type, who == null ? null : who.keyId(),
                who == null ? null : who.role().id(), subject, httpStatus, exchange.getRequest().getPath().value(),
                clientAddress(exchange));
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
