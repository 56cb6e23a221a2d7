package dev.warden.guard.stream;

import dev.warden.guard.stream.ModerationSummary.Outcome;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Moderates a stream of several choices ({@code n > 1}): the chunks of each choice go to a moderation of their
 * own, as if that choice were the only one, so a choice is released, held and cut by its own windows and a cut
 * ends only that choice. The usage chunk, which covers every choice, is released after all of them ended.
 */
final class ChoiceModeration {

    private final StreamModerator moderator;
    private final int choices;
    private final StreamModeration settings;
    private final WindowCheck check;
    private final Consumer<ModerationSummary> onEnd;

    ChoiceModeration(
            StreamModerator moderator,
            int choices,
            StreamModeration settings,
            WindowCheck check,
            Consumer<ModerationSummary> onEnd) {
        this.moderator = moderator;
        this.choices = choices;
        this.settings = settings;
        this.check = check;
        this.onEnd = onEnd;
    }

    Flux<ModeratedEvent> moderate(Flux<StreamChunk> upstream) {
        return Flux.defer(() -> {
            List<Sinks.Many<StreamChunk>> inputs = new ArrayList<>();
            AtomicReferenceArray<ModerationSummary> ends = new AtomicReferenceArray<>(choices);
            List<Flux<ModeratedEvent>> moderated = new ArrayList<>();
            for (int i = 0; i < choices; i++) {
                int choice = i;
                Sinks.Many<StreamChunk> input = Sinks.many().unicast().onBackpressureBuffer();
                inputs.add(input);
                moderated.add(moderator
                        .moderate(input.asFlux(), settings, check, s -> ends.set(choice, s))
                        .handle((event, sink) -> {
                            if (event instanceof Release r) {
                                sink.next(new Release(asChoice(r.chunk(), choice)));
                            } else if (event instanceof Cut c) {
                                sink.next(c.forChoice(choice));
                            }
                        }));
            }
            AtomicReference<Usage> usage = new AtomicReference<>();
            AtomicBoolean reported = new AtomicBoolean();
            Disposable.Swap source = Disposables.swap();
            Flux<ModeratedEvent> all = Flux.merge(moderated).concatWith(Flux.defer(() -> {
                ModerationSummary summary = combined(ends, usage.get(), null, null);
                List<ModeratedEvent> tail = new ArrayList<>();
                // The usage covers every choice; it goes out when at least one choice was released whole.
                if (usage.get() != null && anyCompleted(ends)) {
                    tail.add(new Release(StreamChunk.usage(usage.get())));
                }
                tail.add(summary);
                report(reported, summary);
                return Flux.fromIterable(tail);
            }));
            return all.doOnSubscribe(s -> source.update(upstream.subscribe(
                            chunk -> route(chunk, inputs, usage),
                            error -> inputs.forEach(in -> in.tryEmitError(error)),
                            () -> inputs.forEach(Sinks.Many::tryEmitComplete))))
                    .doOnError(e -> report(
                            reported,
                            combined(ends, usage.get(), Outcome.UPSTREAM_FAILED, String.valueOf(e.getMessage()))))
                    .doOnCancel(() -> report(reported, combined(ends, usage.get(), Outcome.CANCELLED, null)))
                    .doFinally(s -> source.dispose());
        });
    }

    /** Sends a chunk to its choice's moderation (as choice 0), or keeps the usage chunk for the end. */
    private void route(StreamChunk chunk, List<Sinks.Many<StreamChunk>> inputs, AtomicReference<Usage> usage) {
        if (chunk.usage() != null
                && chunk.text().isEmpty()
                && chunk.toolCalls().isEmpty()
                && chunk.finishReason() == null) {
            usage.set(chunk.usage());
            return;
        }
        if (chunk.index() < 0 || chunk.index() >= choices) {
            UnsupportedOperationException e = new UnsupportedOperationException(
                    "a chunk of choice " + chunk.index() + " arrived in a stream of " + choices + " choices");
            inputs.forEach(in -> in.tryEmitError(e));
            return;
        }
        // A choice that was cut no longer listens: its chunks are dropped here.
        inputs.get(chunk.index()).tryEmitNext(asChoice(chunk, 0));
    }

    private static StreamChunk asChoice(StreamChunk chunk, int index) {
        return chunk.index() == index
                ? chunk
                : new StreamChunk(
                        index, chunk.text(), chunk.toolCalls(), chunk.finishReason(), chunk.logprobs(), chunk.usage());
    }

    private static boolean anyCompleted(AtomicReferenceArray<ModerationSummary> ends) {
        for (int i = 0; i < ends.length(); i++) {
            ModerationSummary s = ends.get(i);
            if (s != null && s.outcome() == Outcome.COMPLETED) {
                return true;
            }
        }
        return false;
    }

    /** One summary for the stream: sums over the choices; cut when any choice was cut (the first such cut). */
    private ModerationSummary combined(
            AtomicReferenceArray<ModerationSummary> ends, Usage usage, Outcome forced, String error) {
        int received = 0;
        int released = 0;
        int checked = 0;
        Cut cut = null;
        for (int i = 0; i < ends.length(); i++) {
            ModerationSummary s = ends.get(i);
            if (s == null) {
                continue;
            }
            received += s.tokensReceived();
            released += s.tokensReleased();
            checked += s.windowsChecked();
            if (cut == null && s.cut() != null) {
                cut = s.cut().forChoice(i);
            }
        }
        Outcome outcome = forced != null ? forced : cut != null ? Outcome.CUT : Outcome.COMPLETED;
        return new ModerationSummary(
                settings.mode(),
                outcome,
                received,
                released,
                checked,
                outcome == Outcome.CUT ? cut : null,
                usage,
                error);
    }

    private void report(AtomicBoolean reported, ModerationSummary summary) {
        if (onEnd != null && reported.compareAndSet(false, true)) {
            onEnd.accept(summary);
        }
    }
}
