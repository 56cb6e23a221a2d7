package dev.warden.gateway.route;

import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.ContentFilter;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.Guards;
import dev.warden.gateway.flow.RequestState;
import dev.warden.guard.Direction;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import java.time.Duration;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code InputGuard}: the conversation and every other text the model will see (tool definitions, response
 * schemas) through the input classifiers and the tenant's policy. A block is recorded
 * ({@link Outcome#BLOCKED_INPUT}) and answered 400 {@code content_filter} with the categories and scores; a
 * redaction rewrites the call before it goes on; the decision is on the response ({@code x-warden-decision}).
 */
@Component
public class InputGuardGatewayFilterFactory extends StageFactory {

    public static final String DECISION_HEADER = "x-warden-decision";
    public static final String INPUT_GUARD_HEADER = InputBudgetGatewayFilterFactory.INPUT_GUARD_HEADER;
    /** The decision header of a response refused before the guard judged it (rate limit, unknown model, ...). */
    public static final String NOT_JUDGED = "none";

    private final Guards guards;
    private final AuditTrail audit;

    public InputGuardGatewayFilterFactory(Guards guards, AuditTrail audit) {
        this.guards = guards;
        this.audit = audit;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            GenerationCall call = state.call();
            CallRecord record = state.record();
            long started = System.nanoTime();
            return guards.check(state.principal(), call.guardInput()).flatMap(checked -> {
                Decision decision = checked.decision();
                record.guarded(
                        Direction.INPUT,
                        checked.report().verdicts(),
                        decision,
                        Duration.ofNanos(System.nanoTime() - started));
                // the classifiers this decision rests on, cached verdicts included; no output guard has run yet
                exchange.getResponse()
                        .getHeaders()
                        .set(
                                INPUT_GUARD_HEADER,
                                String.join(",", checked.report().judgedBy()));
                exchange.getResponse()
                        .getHeaders()
                        .set(DECISION_HEADER, decision.action().lowerCase());
                if (decision.blocked()) {
                    state.settle(0);
                    return audit.record(record, Outcome.BLOCKED_INPUT, 400)
                            .then(Mono.error(ContentFilter.promptBlocked(
                                    decision, checked.report().judgedBy())));
                }
                if (decision.action() == Action.REDACT && !decision.redactions().isEmpty()) {
                    state.call(call.mapText(text -> guards.redactor().redact(text, decision.redactions())));
                }
                return chain.filter(exchange);
            });
        };
    }
}
