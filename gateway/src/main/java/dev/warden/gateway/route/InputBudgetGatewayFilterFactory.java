package dev.warden.gateway.route;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.AuditTrail;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.GenerationCall;
import dev.warden.gateway.flow.RequestState;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.tenant.Principal;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stage {@code InputBudget}: a request is judged whole or not at all, since a prompt's unjudged tail is where an
 * attack would hide; more client text than the tenant's {@code max-input-chars} is refused (413, recorded as
 * {@link Outcome#BLOCKED_INPUT}) before it is metered. The guard headers are set by the stages that judge
 * ({@code x-warden-guard-input} by InputGuard, {@code x-warden-guard-output} by Generate), so that they name only
 * classifiers that ran.
 */
@Component
public class InputBudgetGatewayFilterFactory extends StageFactory {

    public static final String INPUT_GUARD_HEADER = "x-warden-guard-input";
    public static final String OUTPUT_GUARD_HEADER = "x-warden-guard-output";

    private final AuditTrail audit;

    public InputBudgetGatewayFilterFactory(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    GatewayFilter filter() {
        return (exchange, chain) -> {
            RequestState state = RequestState.of(exchange);
            GenerationCall call = state.call();
            Principal principal = state.principal();
            long chars = call.judgedChars();
            long maxChars = principal.policy().guard().maxInputChars();
            if (chars > maxChars) {
                exchange.getResponse()
                        .getHeaders()
                        .set(
                                InputGuardGatewayFilterFactory.DECISION_HEADER,
                                dev.warden.policy.decision.Action.BLOCK.lowerCase());
                CallRecord record = state.record();
                record.ruleOnly("tenant " + principal.tenantId() + ": input " + chars + " chars > max-input-chars "
                        + maxChars + " -> refuse");
                return audit.record(record, Outcome.BLOCKED_INPUT, 413)
                        .then(Mono.error(ApiErrors.inputTooLongToJudge(
                                call.isChat() ? "messages" : "prompt",
                                "The request holds "
                                        + chars + " characters of text; this gateway judges at most " + maxChars
                                        + " per request for this tenant, and does not send on text it has not judged. "
                                        + "Shorten the prompt or split it across requests.")));
            }
            return chain.filter(exchange);
        };
    }
}
