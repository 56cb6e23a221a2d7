package dev.warden.gateway.flow;

import dev.warden.policy.audit.Outcome;
import java.util.List;

/**
 * Sees each request once, as it ends, just before its audit record is built: the one seam metrics and traces
 * hang on, so that the stages record what happened (in {@link CallRecord}) and never call a meter or a tracer
 * themselves. An observer may put the trace id on the record ({@link CallRecord#traceId(String)}) for the audit
 * record to carry (a stream's, already when it opens: {@link #streamOpening}). Called on the request's thread: it must not block.
 */
public interface CallObserver {

    void ended(CallRecord call, Outcome outcome, int httpStatus);

    /**
     * A stream is about to write its opening record, the first of its two: an observer that gives the call its trace
     * id does it now, so that both records carry the same one. Called once per stream, before {@link #ended}.
     */
    default void streamOpening(CallRecord call) {}

    /** Every observer in turn; one that throws does not stop the others nor the request. */
    static CallObserver all(List<? extends CallObserver> observers) {
        List<CallObserver> each = List.copyOf(observers);
        return new CallObserver() {
            @Override
            public void ended(CallRecord call, Outcome outcome, int httpStatus) {
                each.forEach(observer -> safely(observer, call, () -> observer.ended(call, outcome, httpStatus)));
            }

            @Override
            public void streamOpening(CallRecord call) {
                each.forEach(observer -> safely(observer, call, () -> observer.streamOpening(call)));
            }
        };
    }

    private static void safely(CallObserver observer, CallRecord call, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(CallObserver.class)
                    .warn(
                            "observer {} failed on request {}: {}",
                            observer.getClass().getSimpleName(),
                            call.requestId(),
                            e.toString());
        }
    }
}
