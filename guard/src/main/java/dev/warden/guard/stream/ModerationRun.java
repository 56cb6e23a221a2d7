package dev.warden.guard.stream;

import dev.warden.guard.stream.ModerationSummary.Outcome;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The state of one moderated stream. Upstream chunks, check results and cancellation arrive on any thread as
 * signals in a queue; a single drain loop at a time (work-in-progress counter, no lock) applies them to the state
 * and emits into the sink, so releases keep the upstream's exact order and nothing here ever blocks.
 */
final class ModerationRun {

    private final FluxSink<ModeratedEvent> sink;
    private final StreamModeration settings;
    private final WindowCheck check;
    private final Consumer<ModerationSummary> onEnd;
    private final Context context;

    private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final Disposable.Composite checks = Disposables.composite();
    private final Upstream upstream = new Upstream();
    /** The time bound of the open window; replaced when the next window opens, disposed with the run. */
    private final Disposable.Swap deadline = Disposables.swap();

    // Touched only inside the drain loop.
    private final WindowPlanner planner;
    private final boolean timed;
    private int armedFor = -1;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final ArrayDeque<Window> waiting = new ArrayDeque<>();
    private final List<Window> planned = new ArrayList<>();
    private final BitSet passed = new BitSet();
    private int passedWindows;
    private int passedTokens;
    private int inFlight;
    private int windowsChecked;
    private int tokensReleased;
    private boolean upstreamDone;
    private boolean terminated;
    private Usage usage;

    ModerationRun(
            FluxSink<ModeratedEvent> sink,
            StreamModeration settings,
            WindowCheck check,
            Consumer<ModerationSummary> onEnd) {
        this.sink = sink;
        this.settings = settings;
        this.check = check;
        this.onEnd = onEnd;
        this.context = Context.of(sink.contextView());
        this.planner = new WindowPlanner(settings);
        // Buffer releases nothing before the end, so closing its windows early would only add checks.
        this.timed = settings.mode() != StreamMode.BUFFER;
    }

    void start(Flux<StreamChunk> source) {
        sink.onCancel(() -> signal(Signal.CANCELLED));
        sink.onDispose(this::release);
        source.subscribe(upstream);
    }

    /** Frees the generation and every check in flight; safe to call more than once and from any thread. */
    private void release() {
        upstream.dispose();
        checks.dispose();
        deadline.dispose();
    }

    private void signal(Object s) {
        inbox.offer(s);
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Object next;
            while ((next = inbox.poll()) != null) {
                if (terminated) {
                    continue;
                }
                if (sink.isCancelled()) {
                    // The client left while signals were queued: nothing queued may complete or cut the stream now.
                    next = Signal.CANCELLED;
                }
                try {
                    handle(next);
                } catch (Throwable t) {
                    fail(Operators.onOperatorError(t, context));
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void handle(Object s) {
        if (s instanceof Arrived a) {
            arrived(a.chunk());
        } else if (s instanceof Judged j) {
            judged(j.window(), j.result());
        } else if (s instanceof CheckErrored e) {
            inFlight--;
            windowsChecked++;
            String reason = e.error().getMessage() != null
                    ? e.error().getMessage()
                    : e.error().toString();
            cut(e.window(), List.of(), "check failed: " + reason, Cut.Cause.CHECK_FAILED);
        } else if (s instanceof Deadline d) {
            // Stale when tokens closed that window first.
            if (!upstreamDone && planner.openIndex() == d.window()) {
                Window closed = planner.closeNow();
                if (closed != null) {
                    plan(closed);
                }
                progress();
            }
        } else if (s instanceof UpstreamFailed f) {
            fail(f.error());
        } else if (s == Signal.UPSTREAM_COMPLETED) {
            upstreamDone = true;
            Window last = planner.finish();
            if (last != null) {
                plan(last);
            }
            progress();
        } else if (s == Signal.CANCELLED) {
            terminated = true;
            release();
            report(summary(Outcome.CANCELLED, null, null));
        }
    }

    private void arrived(StreamChunk chunk) {
        if (chunk.index() != 0) {
            fail(new UnsupportedOperationException("streamed moderation covers choice 0 only, but a chunk of choice "
                    + chunk.index() + " arrived; refuse n > 1 for moderated streams"));
            return;
        }
        boolean hasRest = !chunk.toolCalls().isEmpty() || chunk.finishReason() != null || chunk.usage() != null;
        if (!chunk.text().isEmpty()) {
            StreamChunk text =
                    hasRest ? new StreamChunk(0, chunk.text(), List.of(), null, chunk.logprobs(), null) : chunk;
            addToken(text);
        }
        if (hasRest) {
            StreamChunk rest = chunk.text().isEmpty()
                    ? chunk
                    : new StreamChunk(0, "", chunk.toolCalls(), chunk.finishReason(), null, chunk.usage());
            if (rest.usage() != null) {
                usage = rest.usage();
            }
            // The finish and usage chunks close the response for the client, so they wait until every window passed.
            boolean closing = rest.finishReason() != null || rest.usage() != null;
            held.add(new Held(rest, planner.tokenCount(), false, closing));
            if (rest.finishReason() != null) {
                // The choice has no more text: its last window is judged now, not after the usage chunk and the
                // end of the upstream, which may come tens of milliseconds later.
                Window last = planner.finish();
                if (last != null) {
                    plan(last);
                }
            }
        } else if (chunk.text().isEmpty()) {
            held.add(new Held(chunk, planner.tokenCount(), false, false));
        }
        armDeadline();
        progress();
    }

    private void addToken(StreamChunk chunk) {
        held.add(new Held(chunk, planner.tokenCount() + 1, true, false));
        Window closed = planner.add(chunk.text());
        if (closed != null) {
            plan(closed);
        }
    }

    /** Starts the time bound of the open window once it holds a token (once per window). */
    private void armDeadline() {
        if (!timed || terminated || !planner.hasOpenTokens() || armedFor == planner.openIndex()) {
            return;
        }
        Duration wait = planner.openWait();
        if (wait.isZero()) {
            return;
        }
        int window = planner.openIndex();
        armedFor = window;
        deadline.update(Schedulers.parallel()
                .schedule(
                        () -> signal(new Deadline(window)), wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    private void plan(Window w) {
        planned.add(w);
        waiting.add(w);
    }

    private void judged(Window w, WindowResult result) {
        inFlight--;
        windowsChecked++;
        if (result instanceof WindowResult.Violation v) {
            cut(w, v.categories(), v.rule(), Cut.Cause.VIOLATION);
            return;
        }
        passed.set(w.index());
        while (passed.get(passedWindows)) {
            passedWindows++;
        }
        // Windows tile the response in order, so the passed prefix ends where its last window ends.
        if (passedWindows > 0) {
            passedTokens = planned.get(passedWindows - 1).end();
        }
        progress();
    }

    /** Starts checks, releases what may be released, and completes when everything was. */
    private void progress() {
        startChecks();
        if (terminated) {
            return;
        }
        boolean allPassed = upstreamDone && waiting.isEmpty() && inFlight == 0 && passedWindows == planned.size();
        StreamMode mode = settings.mode();
        while (!held.isEmpty() && !terminated) {
            Held h = held.peek();
            boolean may = allPassed
                    || (mode == StreamMode.OPTIMISTIC && !h.closing())
                    || (mode == StreamMode.HOLD_BACK && !h.closing() && h.tokenEnd() <= passedTokens);
            if (!may) {
                break;
            }
            held.poll();
            if (h.token()) {
                tokensReleased++;
            }
            sink.next(new Release(h.chunk()));
            if (sink.isCancelled()) {
                return;
            }
        }
        if (allPassed && held.isEmpty() && !terminated) {
            terminated = true;
            ModerationSummary summary = summary(Outcome.COMPLETED, null, null);
            sink.next(summary);
            report(summary);
            sink.complete();
        }
    }

    private void startChecks() {
        while (!terminated && inFlight < settings.maxInFlightChecks() && !waiting.isEmpty()) {
            Window w = waiting.poll();
            inFlight++;
            Mono<WindowResult> result;
            try {
                result = Objects.requireNonNull(check.check(w), "the window check returned null");
            } catch (Throwable t) {
                result = Mono.error(t);
            }
            Disposable d = result.switchIfEmpty(
                            Mono.error(() -> new IllegalStateException("the window check returned no result")))
                    .contextWrite(context)
                    .subscribe(r -> signal(new Judged(w, r)), t -> signal(new CheckErrored(w, t)));
            checks.add(d);
        }
    }

    private void cut(Window w, List<String> categories, String rule, Cut.Cause cause) {
        terminated = true;
        release();
        Cut cut = new Cut(w, categories, rule, cause, tokensReleased, 0);
        ModerationSummary summary = summary(Outcome.CUT, cut, null);
        sink.next(cut);
        sink.next(summary);
        report(summary);
        sink.complete();
    }

    private void fail(Throwable error) {
        if (terminated) {
            Operators.onErrorDropped(error, context);
            return;
        }
        terminated = true;
        release();
        report(summary(Outcome.UPSTREAM_FAILED, null, String.valueOf(error.getMessage())));
        sink.error(error);
    }

    private ModerationSummary summary(Outcome outcome, Cut cut, String error) {
        return new ModerationSummary(
                settings.mode(), outcome, planner.tokenCount(), tokensReleased, windowsChecked, cut, usage, error);
    }

    private void report(ModerationSummary summary) {
        if (onEnd == null) {
            return;
        }
        try {
            onEnd.accept(summary);
        } catch (Throwable t) {
            Operators.onErrorDropped(t, context);
        }
    }

    /** A chunk waiting for release: {@code tokenEnd} is the number of tokens up to and including it. */
    private record Held(StreamChunk chunk, int tokenEnd, boolean token, boolean closing) {}

    private record Arrived(StreamChunk chunk) {}

    private record Judged(Window window, WindowResult result) {}

    private record CheckErrored(Window window, Throwable error) {}

    private record UpstreamFailed(Throwable error) {}

    /** The time bound of window {@code window} has passed. */
    private record Deadline(int window) {}

    private enum Signal {
        UPSTREAM_COMPLETED,
        CANCELLED
    }

    private final class Upstream extends BaseSubscriber<StreamChunk> {

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // Hold-back and buffer keep the response anyway; reading it eagerly lets generation run at full speed.
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnNext(StreamChunk chunk) {
            signal(new Arrived(chunk));
        }

        @Override
        protected void hookOnComplete() {
            signal(Signal.UPSTREAM_COMPLETED);
        }

        @Override
        protected void hookOnError(Throwable error) {
            signal(new UpstreamFailed(error));
        }
    }
}
