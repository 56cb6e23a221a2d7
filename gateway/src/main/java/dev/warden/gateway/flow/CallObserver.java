package dev.warden.gateway.flow;

import dev.warden.policy.audit.Outcome;
import java.util.List;

/**
 * Sees each request once, as it ends, just before its audit record is built: the one seam metrics and traces
 * hang on, so that the stages record what happened (in {@link CallRecord}) and never call a meter or a tracer
 * themselves. An observer may put the trace id on the record ({@link CallRecord#traceId(String)}) for the audit
 * record to carry. Called on the request's thread: it must not block.
 */
public interface CallObserver {

    void ended(CallRecord call, Outcome outcome, int httpStatus);

    /** Every observer in turn; one that throws does not stop the others nor the request. */
    static CallObserver all(List<? extends CallObserver> observers) {
        List<CallObserver> each = List.copyOf(observers);
        return (call, outcome, httpStatus) -> {
            for (CallObserver observer : each) {
                try {
                    observer.ended(call, outcome, httpStatus);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(CallObserver.class)
                            .warn(
                                    "observer {} failed on request {}: {}",
                                    observer.getClass().getSimpleName(),
                                    call.requestId(),
                                    e.toString());
                }
            }
        };
    }
}
