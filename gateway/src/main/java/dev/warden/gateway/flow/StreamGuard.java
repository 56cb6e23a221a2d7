package dev.warden.gateway.flow;

import dev.warden.gateway.openai.OpenAiResponses;
import dev.warden.gateway.openai.SseBody;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.stream.Cut;
import dev.warden.guard.stream.ModeratedEvent;
import dev.warden.guard.stream.ModerationSummary;
import dev.warden.guard.stream.Release;
import dev.warden.guard.stream.StreamMode;
import dev.warden.guard.stream.StreamModeration;
import dev.warden.guard.stream.StreamModerator;
import dev.warden.guard.stream.WindowCheck;
import dev.warden.guard.stream.WindowResult;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.decision.Action;
import dev.warden.policy.tenant.StreamingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Output moderation of streamed responses, in the tenant's mode: {@code hold-back} (a token leaves only after the
 * window holding it passed), {@code optimistic} (tokens leave at once, a failing window ends the stream) or
 * {@code buffer} (nothing leaves before the whole response passed). Streaming is never a bypass: every window goes
 * through the same classifiers and policy as a non-streamed response, a cut ends the stream with
 * {@code finish_reason: content_filter} and cancels the generation, and the audit record is durable before
 * {@code [DONE]}.
 */
public final class StreamGuard {

    private final Guards guards;
    private final AuditTrail audit;
    private final StreamModerator moderator = new StreamModerator();
    /** Whether any classifier judges the output direction; when none does, hold-back has nothing to hold. */
    private final boolean outputJudged;

    public StreamGuard(Guards guards, AuditTrail audit) {
        this.guards = guards;
        this.audit = audit;
        this.outputJudged = !guards.classifiers(Direction.OUTPUT).isEmpty();
    }

    public static String wire(StreamingPolicy.Mode mode) {
        return mode.name().toLowerCase().replace('_', '-');
    }

    /**
     * The moderator's settings for a tenant's policy. With no classifier on the output direction no window can
     * fail, so every mode releases text as it comes (optimistic): the windows still go through
     * {@link Guards#check} (policy decides on no verdicts there, at once), which keeps one path for accounting and
     * audit, but nothing waits for them.
     */
    static StreamModeration settings(StreamingPolicy policy, boolean outputJudged) {
        StreamMode mode = !outputJudged
                ? StreamMode.OPTIMISTIC
                : switch (policy.mode()) {
                    case HOLD_BACK -> StreamMode.HOLD_BACK;
                    case OPTIMISTIC -> StreamMode.OPTIMISTIC;
                    case BUFFER -> StreamMode.BUFFER;
                };
        int window = Math.max(2, policy.windowTokens());
        int overlap = Math.max(0, Math.min(policy.overlapTokens(), window / 2));
        int slack = Math.max(0, Math.min(8, window - overlap - 1));
        int first = Math.max(1, Math.min(policy.firstWindowTokens(), window));
        return StreamModeration.defaults()
                .withMode(mode)
                .withWindow(window, overlap, slack)
                .withRamp(
                        first,
                        Duration.ofMillis(Math.max(0, policy.firstWindowMs())),
                        Duration.ofMillis(Math.max(0, policy.windowMs())));
    }

    public Flux<byte[]> moderate(
            GenerationCall call,
            CallRecord record,
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            LongConsumer settle) {
        AtomicReference<ModerationSummary> summary = new AtomicReference<>();
        // Each window is judged as the Agent turn with the tokens before it as context, never the whole response
        // so far: the cost of a check stays bounded however long the stream runs.
        WindowCheck check = window -> {
            long started = System.nanoTime();
            return guards.check(record.principal(), GuardInput.response(call.conversation(), window.text()))
                    .map(checked -> {
                        record.guarded(
                                Direction.OUTPUT,
                                checked.report().verdicts(),
                                checked.decision(),
                                Duration.ofNanos(System.nanoTime() - started));
                        var decision = checked.decision();
                        // Released text cannot be redacted afterwards, so on a stream a redaction cuts instead.
                        if (decision.blocked() || decision.action() == Action.REDACT) {
                            return WindowResult.violation(
                                    decision.decisiveLabels().stream().sorted().toList(), decision.rule());
                        }
                        return WindowResult.pass();
                    });
        };
        AtomicReference<dev.warden.policy.decision.Decision> toolCallCut = new AtomicReference<>();
        Flux<StreamChunk> released = moderator
                .moderate(
                        checkToolCalls(call, record, chunks, responses, toolCallCut),
                        call.choices(),
                        settings(record.principal().policy().streaming(), outputJudged),
                        check,
                        summary::set)
                .<StreamChunk>handle((event, sink) -> {
                    StreamChunk chunk = toChunk(event, record, responses);
                    if (chunk != null) {
                        sink.next(chunk);
                    }
                })
                .onErrorResume(error -> {
                    record.inferenceEnded();
                    ModerationSummary s = summary.get();
                    boolean anyReleased = s != null && s.tokensReleased() > 0;
                    settle(call, record, settle, s);
                    int status =
                            error instanceof InferenceException ie ? ie.kind().httpStatus() : 500;
                    record.ruleOnly("stream failed: " + error.getMessage());
                    return audit.record(record, anyReleased ? Outcome.PARTIAL_STREAM : Outcome.UPSTREAM_ERROR, status)
                            .onErrorResume(e -> Mono.empty())
                            .then(Mono.error(error));
                })
                .doOnCancel(() -> {
                    ModerationSummary s = summary.get();
                    settle(call, record, settle, s);
                    audit.recordDetached(record, Outcome.CLIENT_ABORT, 499);
                });
        Mono<Void> durable = Mono.defer(() -> {
            ModerationSummary s = summary.get();
            settle(call, record, settle, s);
            boolean cut = s != null && s.outcome() == ModerationSummary.Outcome.CUT || toolCallCut.get() != null;
            return audit.record(record, cut ? Outcome.CUT_OUTPUT : Outcome.ALLOWED, 200);
        });
        // settled by then (durable runs first): the engine's count when it sent one, else the gateway's own
        return SseBody.startedEvents(
                released,
                responses,
                call.isChat(),
                call.includeUsage(),
                durable,
                record::usage,
                SseBody.KEEP_ALIVE_INTERVAL);
    }

    /**
     * Tool calls are not text the windows see, so each chunk carrying them is judged as an Agent turn before it
     * goes on; a call that fails is dropped and the choice ends with {@code content_filter} instead.
     */
    private Flux<StreamChunk> checkToolCalls(
            GenerationCall call,
            CallRecord record,
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            AtomicReference<dev.warden.policy.decision.Decision> cut) {
        return chunks.concatMap(chunk -> {
            if (chunk.toolCalls().isEmpty()) {
                return Mono.just(chunk);
            }
            long started = System.nanoTime();
            String calls = OutputGuard.agentTurn("", chunk.toolCalls());
            return guards.check(record.principal(), GuardInput.response(call.conversation(), calls))
                    .map(checked -> {
                        var decision = checked.decision();
                        record.guarded(
                                Direction.OUTPUT,
                                checked.report().verdicts(),
                                decision,
                                Duration.ofNanos(System.nanoTime() - started));
                        if (!decision.blocked() && decision.action() != Action.REDACT) {
                            return chunk;
                        }
                        cut.set(decision);
                        record.ruleOnly("tool call withheld: " + decision.rule());
                        responses.contentFilter(
                                decision.decisiveLabels().stream().sorted().toList(), decision.rule());
                        return new StreamChunk(
                                chunk.index(),
                                chunk.text(),
                                List.of(),
                                dev.warden.inference.FinishReason.CONTENT_FILTER,
                                chunk.logprobs(),
                                chunk.usage());
                    });
        });
    }

    /** The chunk an event lets out to the client, or null (the summary). Runs once per token. */
    private static StreamChunk toChunk(ModeratedEvent event, CallRecord record, OpenAiResponses responses) {
        if (event instanceof Release release) {
            StreamChunk chunk = release.chunk();
            if (!chunk.text().isEmpty()) {
                record.released(chunk.text(), 1);
            }
            if (chunk.usage() != null) {
                record.inferenceEnded();
                record.usage(chunk.usage());
            }
            return chunk;
        }
        if (event instanceof Cut cut) {
            record.inferenceEnded();
            record.ruleOnly("stream cut at window " + cut.window().index() + " ["
                    + cut.window().start() + ", " + cut.window().end() + ") after " + cut.releasedTokens()
                    + " released tokens: " + cut.rule());
            responses.contentFilter(cut.categories(), cut.rule());
            return cut.finishChunk();
        }
        return null;
    }

    /** Charges the real usage when the stream reported it, otherwise what was generated before it ended. */
    private static void settle(GenerationCall call, CallRecord record, LongConsumer settle, ModerationSummary summary) {
        Usage usage = record.usage();
        if (usage == null && summary != null) {
            usage = summary.usage() != null
                    ? summary.usage()
                    : new Usage((int) call.estimatedPromptTokens(), summary.tokensReceived());
            record.usage(usage);
        }
        settle.accept(usage == null ? call.estimatedPromptTokens() : usage.totalTokens());
    }
}
