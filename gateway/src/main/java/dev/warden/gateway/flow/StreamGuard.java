package dev.warden.gateway.flow;

import dev.warden.gateway.openai.OpenAiResponses;
import dev.warden.gateway.openai.SseBody;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.FinishReason;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.ratelimit.Reservation;
import dev.warden.policy.tenant.StreamingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Output moderation of streamed responses. Streaming is never a bypass: no content leaves before the output
 * guard has passed it, the usage is settled from the stream's last chunk, and the audit record is durable before
 * {@code [DONE]}.
 */
public final class StreamGuard {

    private final Guards guards;
    private final AuditTrail audit;

    public StreamGuard(Guards guards, AuditTrail audit) {
        this.guards = guards;
        this.audit = audit;
    }

    public static String wire(StreamingPolicy.Mode mode) {
        return mode.name().toLowerCase().replace('_', '-');
    }

    /** What happened to one stream, for its audit record. */
    static final class StreamState {
        final AtomicBoolean released = new AtomicBoolean();
        volatile boolean cut;
    }

    public Flux<byte[]> moderate(GenerationCall call, CallRecord record, Flux<StreamChunk> chunks,
                                 OpenAiResponses responses, Reservation reservation) {
        StreamState state = new StreamState();
        Flux<StreamChunk> checked = buffered(call, record, chunks, reservation, state)
                .doOnNext(chunk -> state.released.set(true))
                .onErrorResume(error -> {
                    record.inferenceEnded();
                    Outcome outcome = state.released.get() ? Outcome.PARTIAL_STREAM : Outcome.UPSTREAM_ERROR;
                    int status = error instanceof InferenceException ie ? ie.kind().httpStatus() : 500;
                    record.ruleOnly("stream failed: " + error.getMessage());
                    return audit.record(record, outcome, status).onErrorResume(e -> Mono.empty())
                            .then(Mono.error(error));
                })
                .doOnCancel(() -> audit.recordDetached(record,
                        state.released.get() ? Outcome.CLIENT_ABORT : Outcome.CLIENT_ABORT, 499));
        Mono<Void> durable = Mono.defer(() -> audit.record(record, state.cut ? Outcome.CUT_OUTPUT : Outcome.ALLOWED,
                200));
        return SseBody.events(checked, responses, call.isChat(), call.includeUsage(), durable);
    }

    /** Buffer mode: the whole response is checked before any of it is sent, then sent as it came. */
    private Flux<StreamChunk> buffered(GenerationCall call, CallRecord record, Flux<StreamChunk> chunks,
                                       Reservation reservation, StreamState state) {
        return chunks.collectList().flatMapMany(list -> {
            record.inferenceEnded();
            Usage usage = null;
            Map<Integer, StringBuilder> texts = new TreeMap<>();
            for (StreamChunk c : list) {
                if (c.usage() != null) {
                    usage = c.usage();
                }
                StringBuilder text = texts.computeIfAbsent(c.index(), i -> new StringBuilder()).append(c.text());
                c.toolCalls().forEach(t -> text.append(text.isEmpty() ? "" : "\n").append(t.name()).append('(')
                        .append(t.argumentsJson()).append(')'));
            }
            record.usage(usage);
            reservation.settle(usage == null ? 0 : usage.totalTokens());
            long started = System.nanoTime();
            Usage finalUsage = usage;
            return Flux.fromIterable(texts.entrySet())
                    .concatMap(e -> guards.check(record.principal(),
                            GuardInput.response(call.conversation(), e.getValue().toString())))
                    .collectList()
                    .flatMapMany(results -> {
                        boolean blocked = false;
                        for (Guards.Checked checked : results) {
                            Decision d = checked.decision();
                            record.guarded(Direction.OUTPUT, checked.report().verdicts(), d,
                                    Duration.ofNanos(System.nanoTime() - started));
                            blocked |= d.blocked();
                        }
                        if (blocked) {
                            state.cut = true;
                            List<StreamChunk> out = new ArrayList<>();
                            for (Integer index : texts.keySet()) {
                                out.add(StreamChunk.finish(index, FinishReason.CONTENT_FILTER));
                            }
                            if (finalUsage != null) {
                                out.add(StreamChunk.usage(finalUsage));
                            }
                            return Flux.fromIterable(out);
                        }
                        long tokens = list.stream().filter(c -> !c.text().isEmpty()).count();
                        record.released(texts.values().stream().map(StringBuilder::toString)
                                .reduce("", String::concat), tokens);
                        return Flux.fromIterable(list);
                    });
        });
    }
}
