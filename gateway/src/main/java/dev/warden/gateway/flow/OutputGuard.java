package dev.warden.gateway.flow;

import dev.warden.gateway.openai.OpenAiResponses;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.Choice;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The output guard: what the engine generated, judged as the Agent turn before it reaches the client. A complete
 * response is judged choice by choice (a choice that fails is withheld, one to redact is redacted); a stream goes
 * through {@link StreamGuard} in the tenant's streaming mode.
 */
public final class OutputGuard {

    private final Guards guards;
    private final StreamGuard streamGuard;

    public OutputGuard(Guards guards, StreamGuard streamGuard) {
        this.guards = guards;
        this.streamGuard = streamGuard;
    }

    /** A judged complete generation: what may leave, whether a choice was cut, and the decision that cut it. */
    public record Checked(Generation generation, boolean cut, Decision blocking, List<String> judgedBy) {}

    /** Each choice's text (and tool calls) as the Agent turn; a choice that fails is withheld, not sent. */
    public Mono<Checked> check(GenerationCall call, CallRecord record, Generation generation) {
        long started = System.nanoTime();
        return Flux.fromIterable(generation.choices())
                .concatMap(choice -> guards.check(
                                record.principal(), GuardInput.response(call.conversation(), agentTurn(choice)))
                        .map(checked -> Map.entry(choice, checked)))
                .collectList()
                .map(results -> {
                    List<Choice> choices = new ArrayList<>();
                    java.util.Set<String> judgedBy = new java.util.LinkedHashSet<>();
                    boolean cut = false;
                    Decision blocking = null;
                    StringBuilder released = new StringBuilder();
                    for (var r : results) {
                        Decision decision = r.getValue().decision();
                        judgedBy.addAll(r.getValue().report().judgedBy());
                        record.guarded(
                                Direction.OUTPUT,
                                r.getValue().report().verdicts(),
                                decision,
                                Duration.ofNanos(System.nanoTime() - started));
                        Choice choice = r.getKey();
                        if (decision.blocked()) {
                            cut = true;
                            blocking = decision;
                            choices.add(new Choice(choice.index(), "", List.of(), FinishReason.CONTENT_FILTER, null));
                        } else if (decision.action() == Action.REDACT) {
                            String text = guards.redactor().redact(choice.text(), decision.redactions());
                            choices.add(new Choice(
                                    choice.index(),
                                    text,
                                    choice.toolCalls(),
                                    choice.finishReason(),
                                    choice.logprobs()));
                            released.append(text);
                        } else {
                            choices.add(choice);
                            released.append(agentTurn(choice));
                        }
                    }
                    record.response(released.toString());
                    return new Checked(
                            new Generation(generation.model(), choices, generation.usage()),
                            cut,
                            blocking,
                            List.copyOf(judgedBy));
                });
    }

    /** A stream's events as the client gets them, moderated window by window ({@link StreamGuard}). */
    public Flux<byte[]> moderate(
            GenerationCall call,
            CallRecord record,
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            java.util.function.LongConsumer settle) {
        return streamGuard.moderate(call, record, chunks, responses, settle);
    }

    static String agentTurn(Choice choice) {
        return agentTurn(choice.text(), choice.toolCalls());
    }

    /** What the output guard judges as the Agent turn: the text, then each tool call as {@code name(arguments)}. */
    static String agentTurn(String content, List<ToolCall> toolCalls) {
        if (toolCalls.isEmpty()) {
            return content;
        }
        StringBuilder text = new StringBuilder(content);
        for (ToolCall call : toolCalls) {
            text.append(text.isEmpty() ? "" : "\n")
                    .append(call.name())
                    .append('(')
                    .append(call.argumentsJson())
                    .append(')');
        }
        return text.toString();
    }
}
