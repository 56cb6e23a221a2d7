package dev.warden.gateway.admin;

import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditLog;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Puts what admins and auditors do through the console and the admin API on the record, as {@link AdminAction}s in
 * the reserved chain {@link AdminAction#CHAIN} beside policy changes, retention runs and evidence exports: the same
 * store, hash chain, checkpoints and verifier as the requests' records. Actions that hand out data (content views,
 * exports) wait until their record is durable, so there is no export without its trace; sign-ins are recorded
 * without waiting.
 * <p>
 * The actor is the key's role and id ({@link AdminIdentity#actor()}), never the key; the details say which request
 * of the gateway it was, the path and the TCP peer (no forwarding header is trusted).
 * <p>
 * Failed sign-ins are the one kind a stranger decides the number of, so they share a local budget
 * ({@value #FAILED_SIGN_INS_PER_SECOND}/s) like refused tenant keys do; beyond it they are only counted
 * ({@code warden_admin_sign_in_failures_dropped_total}).
 */
public final class AdminActions {

    private static final Logger log = LoggerFactory.getLogger(AdminActions.class);

    static final int FAILED_SIGN_INS_PER_SECOND = 20;
    /** Longer subjects are cut: a filter string is partly the client's choice. */
    static final int MAX_TEXT = 500;
    /** The actor of a sign-in that named no configured key. */
    public static final String UNKNOWN_ACTOR = "unknown";

    /** The actions recorded here; policy changes, retention runs and bundle exports are recorded where they happen. */
    public enum Action {
        SIGN_IN("console.sign_in"),
        SIGN_IN_FAILED("console.sign_in_failed"),
        SIGN_OUT("console.sign_out"),
        CONTENT_VIEW("content.view"),
        EXPORT("audit.export"),
        CHAIN_VERIFY("chain.verify"),
        REFUSED("access.refused");

        private final String id;

        Action(String id) {
            this.id = id;
        }

        /** The admin action's name, as {@code GET /admin/audit/actions?action=} filters it. */
        public String id() {
            return id;
        }
    }

    private final AuditLog auditLog;
    private final boolean enabled;
    private final Bucket failedBudget = Bucket.builder()
            .addLimit(Bandwidth.builder()
                    .capacity(FAILED_SIGN_INS_PER_SECOND)
                    .refillGreedy(FAILED_SIGN_INS_PER_SECOND, Duration.ofSeconds(1))
                    .build())
            .build();
    private final Counter dropped;
    private final Counter failures;

    public AdminActions(AuditLog auditLog, boolean enabled, MeterRegistry metrics) {
        this.auditLog = auditLog;
        this.enabled = enabled;
        this.dropped = metrics.counter("warden.admin.sign.in.failures.dropped");
        this.failures = metrics.counter("warden.admin.actions.failures");
    }

    /**
     * Records {@code action} by {@code who} on {@code subject} (a tenant, or null) and completes once the record is
     * durable; fails when it cannot be kept, so that the action itself does not happen unrecorded.
     */
    public Mono<Void> record(
            ServerWebExchange exchange, Action action, AdminIdentity who, String subject, Map<String, Object> details) {
        if (!enabled) {
            return Mono.empty();
        }
        AdminAction entry = build(exchange, action, who == null ? UNKNOWN_ACTOR : who.actor(), subject, details);
        return Mono.fromFuture(() -> auditLog.appendAction(entry))
                .doOnError(e -> {
                    failures.increment();
                    log.error(
                            "admin action {} by {} could not be recorded: {}",
                            action.id(),
                            entry.actor(),
                            e.toString());
                })
                .then();
    }

    /** Records without waiting: sign-ins, sign-outs and refusals, where nothing was handed out. */
    public void recordDetached(
            ServerWebExchange exchange, Action action, AdminIdentity who, String subject, Map<String, Object> details) {
        if (!enabled) {
            return;
        }
        if (action == Action.SIGN_IN_FAILED && !failedBudget.tryConsume(1)) {
            dropped.increment();
            return;
        }
        AdminAction entry = build(exchange, action, who == null ? UNKNOWN_ACTOR : who.actor(), subject, details);
        auditLog.appendAction(entry).whenComplete((ok, e) -> {
            if (e != null) {
                failures.increment();
                log.error("admin action {} could not be recorded: {}", action.id(), e.toString());
            }
        });
    }

    private static AdminAction build(
            ServerWebExchange exchange, Action action, String actor, String subject, Map<String, Object> details) {
        Map<String, Object> all = new TreeMap<>();
        details.forEach((k, v) -> all.put(k, v instanceof String s ? cut(s) : v));
        all.put("requestId", RequestState.of(exchange).requestId());
        all.put("method", exchange.getRequest().getMethod().name().toUpperCase(Locale.ROOT));
        all.put("route", cut(exchange.getRequest().getPath().value()));
        String peer = clientAddress(exchange);
        if (peer != null) {
            all.put("clientAddress", peer);
        }
        return AdminAction.of(Instant.now(), action.id(), actor, subject, all);
    }

    private static String cut(String s) {
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
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
