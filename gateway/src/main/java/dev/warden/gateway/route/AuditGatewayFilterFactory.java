package dev.warden.gateway.route;

import dev.warden.gateway.api.Errors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.Outcome;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code Audit}: no request leaves this route without its audit record. New requests are refused (503)
 * while the audit log cannot take records. The stages after it record the endings they decide (a refusal, a
 * block, a cut, an answer) before the client sees them; this stage records the rest: a client that goes away
 * ({@link Outcome#CLIENT_ABORT}, 499) and any failure no stage recorded (4xx as {@link Outcome#BAD_REQUEST},
 * 5xx as {@link Outcome#UPSTREAM_ERROR}), durably, before the error response leaves. A record is written once
 * whichever ending comes first ({@link CallRecord}).
 * <p>
 * Placed after the stage that reads the request (the record needs the caller, the model and the prompt).
 */
@Component
public class AuditGatewayFilterFactory extends StageFactory {

    private final AuditTrail audit;

    public AuditGatewayFilterFactory(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            audit.requireAccepting();
            CallRecord record = RequestState.of(exchange).record();
            return chain.filter(exchange)
                    .onErrorResume(e -> {
                        int status = Errors.toApi(e).status().value();
                        return audit.record(record, status < 500 ? Outcome.BAD_REQUEST : Outcome.UPSTREAM_ERROR, status)
                                .then(Mono.error(e));
                    })
                    .doOnCancel(() -> audit.recordDetached(record, Outcome.CLIENT_ABORT, 499));
        };
    }
}
