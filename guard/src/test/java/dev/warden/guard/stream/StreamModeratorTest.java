package dev.warden.guard.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.stream.ModerationSummary.Outcome;
import dev.warden.inference.FinishReason;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

class StreamModeratorTest {

    private static final String HAZARD = "BOMB ";
    private static final int HAZARD_AT = 130;
    private static final Usage USAGE = new Usage(17, 200);
    /**
     * Fixed 64-token windows overlapping by 16, no sentence slack, no ramp or time bounds: windows [0,64) [48,112)
     * [96,160) [144,200).
     */
    private static final StreamModeration PLAIN =
            StreamModeration.defaults().withWindow(64, 16, 0).fixedWindows().withMaxInFlightChecks(1);

    private final StreamModerator moderator = new StreamModerator();

    // ---- hold-back ----

    @Test
    void holdBackReleasesNoByteOfTheFailingWindow() {
        List<String> tokens = tokens(200, HAZARD_AT);
        AtomicBoolean generationCancelled = new AtomicBoolean();
        Flux<StreamChunk> upstream = stream(tokens).doOnCancel(() -> generationCancelled.set(true));

        List<ModeratedEvent> events = run(upstream, PLAIN, flagging(HAZARD, new ArrayList<>()));

        Cut cut = single(events, Cut.class);
        assertThat(cut.window().index()).isEqualTo(2);
        assertThat(cut.window().start()).isEqualTo(96);
        assertThat(cut.window().freshStart()).isEqualTo(112);
        assertThat(cut.window().end()).isEqualTo(160);
        assertThat(cut.categories()).containsExactly("S9");
        assertThat(cut.rule()).isEqualTo("hazard word");
        assertThat(cut.cause()).isEqualTo(Cut.Cause.VIOLATION);
        assertThat(cut.finishChunk().finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);

        String released = releasedText(events);
        String original = String.join("", tokens);
        // Only what earlier windows passed went out: a prefix that stops before the failing window's fresh tokens.
        assertThat(original).startsWith(released);
        assertThat(released).isEqualTo(join(tokens, 0, cut.window().freshStart()));
        assertThat(released).doesNotContain(HAZARD);
        assertThat(cut.releasedTokens()).isEqualTo(112);
        assertThat(releases(events)).noneMatch(c -> c.finishReason() != null || c.usage() != null);
        assertThat(generationCancelled).isTrue();

        ModerationSummary summary = summary(events);
        assertThat(summary.outcome()).isEqualTo(Outcome.CUT);
        assertThat(summary.mode()).isEqualTo(StreamMode.HOLD_BACK);
        assertThat(summary.tokensReleased()).isEqualTo(112);
        assertThat(summary.tokensReceived()).isEqualTo(160);
        assertThat(summary.windowsChecked()).isEqualTo(3);
        assertThat(summary.failedWindow()).isEqualTo(cut.window());
        assertThat(events.get(events.size() - 2)).isSameAs(cut);
    }

    @Test
    void holdBackReleasesTheExactTextThenFinishAndUsageWhenNothingFails() {
        List<String> tokens = tokens(200, -1);
        List<ModeratedEvent> events =
                run(stream(tokens), StreamModeration.defaults(), flagging(HAZARD, new ArrayList<>()));

        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
        assertThat(releases(events).subList(0, 200)).allMatch(c -> c.finishReason() == null && c.usage() == null);
        List<StreamChunk> released = releases(events);
        assertThat(released).hasSize(202);
        assertThat(released.get(200).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(released.get(201).usage()).isEqualTo(USAGE);
        ModerationSummary summary = summary(events);
        assertThat(summary.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(summary.tokensReleased()).isEqualTo(200);
        assertThat(summary.usage()).isEqualTo(USAGE);
        assertThat(summary.cut()).isNull();
        assertThat(events.get(events.size() - 1)).isSameAs(summary);
    }

    @Test
    void holdBackReleasesAWindowOnlyAfterItsCheckPassedAndTheTailOnlyAfterTheLastWindow() {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator.moderate(upstream.asFlux(), PLAIN, check).subscribe(events::add);
        List<String> tokens = tokens(100, -1);

        emit(upstream, tokens.subList(0, 70));
        assertThat(check.windows()).extracting(Window::end).containsExactly(64);
        assertThat(releases(events)).isEmpty();

        check.answer(0, WindowResult.pass());
        assertThat(releasedText(events)).isEqualTo(join(tokens, 0, 64));

        emit(upstream, tokens.subList(70, 100));
        assertThat(check.windows()).extracting(Window::end).containsExactly(64);
        upstream.tryEmitNext(StreamChunk.finish(0, FinishReason.STOP));
        // The finish reason ends the text: the final partial window [48, 100) is checked at once, before the
        // usage chunk and the end of the upstream, and before anything else leaves.
        assertThat(check.windows().get(1)).isEqualTo(new Window(1, 48, 64, 100, join(tokens, 48, 100), true));
        upstream.tryEmitNext(StreamChunk.usage(USAGE));
        upstream.tryEmitComplete();
        assertThat(check.windows()).hasSize(2);
        assertThat(releases(events)).hasSize(64);

        check.answer(1, WindowResult.pass());
        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
        assertThat(releases(events).get(101).usage()).isEqualTo(USAGE);
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void windowsOverlapAndEachCheckSeesItsWindowWithTheTokensBeforeItAsContext() {
        List<String> tokens = tokens(200, -1);
        List<Window> seen = new ArrayList<>();
        run(stream(tokens), PLAIN, flagging(HAZARD, seen));

        assertThat(seen)
                .extracting(w -> List.of(w.index(), w.start(), w.freshStart(), w.end()))
                .containsExactly(
                        List.of(0, 0, 0, 64),
                        List.of(1, 48, 64, 112),
                        List.of(2, 96, 112, 160),
                        List.of(3, 144, 160, 200));
        assertThat(seen).extracting(Window::last).containsExactly(false, false, false, true);
        for (Window w : seen) {
            assertThat(w.text()).isEqualTo(join(tokens, w.start(), w.end()));
        }
    }

    @Test
    void windowsRampUpFromAShortFirstWindowToTheConfiguredSize() {
        List<String> tokens = tokens(200, -1);
        List<Window> seen = new ArrayList<>();
        StreamModeration ramped =
                StreamModeration.defaults().withWindow(64, 16, 0).withRamp(4, Duration.ZERO, Duration.ZERO);
        List<ModeratedEvent> events = run(stream(tokens), ramped, flagging(HAZARD, seen));

        // fresh tokens 4, 8, 16, 32, then 48 (64 less the 16 of context) until the end
        assertThat(seen)
                .extracting(w -> List.of(w.start(), w.freshStart(), w.end()))
                .containsExactly(
                        List.of(0, 0, 4),
                        List.of(0, 4, 12),
                        List.of(0, 12, 28),
                        List.of(12, 28, 60),
                        List.of(44, 60, 108),
                        List.of(92, 108, 156),
                        List.of(140, 156, 200));
        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
    }

    @Test
    void theFirstWindowEndsAtTheFirstClause() {
        List<String> tokens = new ArrayList<>(tokens(40, -1));
        tokens.set(1, "Sure,");
        List<Window> seen = new ArrayList<>();
        run(
                stream(tokens),
                StreamModeration.defaults().withRamp(4, Duration.ZERO, Duration.ZERO),
                flagging(HAZARD, seen));
        assertThat(seen.get(0).end()).isEqualTo(2);
        assertThat(seen.get(1).freshStart()).isEqualTo(2);
    }

    @Test
    void aWindowWhoseTimeIsUpIsJudgedWithoutWaitingForMoreTokens() throws Exception {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        // The time bounds run on a timer thread, so releases may land there: wait for each, with a timeout.
        java.util.concurrent.Semaphore released = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        StreamModeration timed = StreamModeration.defaults().withRamp(4, Duration.ofMillis(5), Duration.ofMillis(5));
        moderator
                .moderate(upstream.asFlux(), timed, check)
                .subscribe(
                        e -> {
                            events.add(e);
                            if (e instanceof Release) {
                                released.release();
                            }
                        },
                        e -> {},
                        ended::countDown);

        emit(upstream, List.of("Hello"));
        // The first window wants 4 tokens; only its time bound can close it now.
        Window first = check.window(0).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first.end()).isEqualTo(1);
        check.answer(0, WindowResult.pass());
        assertThat(released.tryAcquire(1, 10, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        assertThat(releasedText(events)).isEqualTo("Hello");

        emit(upstream, List.of(" there"));
        Window second = check.window(1).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(second.freshStart()).isEqualTo(1);
        // judged with the released text before it as context
        assertThat(second.text()).isEqualTo("Hello there");
        upstream.tryEmitComplete();
        check.answer(1, WindowResult.pass());
        assertThat(ended.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(releasedText(events)).isEqualTo("Hello there");
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void whatOneCheckJudgesStaysBoundedHoweverLongTheResponse() {
        List<String> tokens = tokens(2000, -1);
        List<Window> seen = new ArrayList<>();
        StreamModeration settings = StreamModeration.defaults().withRamp(4, Duration.ZERO, Duration.ZERO);
        run(stream(tokens), settings, flagging(HAZARD, seen));

        assertThat(seen).allMatch(w -> w.tokens() <= settings.windowTokens());
        assertThat(seen.get(seen.size() - 1).text().length()).isLessThan(64 * "w1999 ".length());
        assertThat(seen.get(seen.size() - 1).end()).isEqualTo(2000);
    }

    @Test
    void windowsEndAtASentenceBoundaryWithinTheSlack() {
        List<String> tokens = new ArrayList<>(tokens(200, -1));
        tokens.set(59, "."); // 5 tokens before the nominal end 64: window 0 ends at 60
        tokens.set(90, "!"); // too early for window 1 (nominal end 44 + 64 = 108, slack reaches back to 100)
        tokens.set(101, "?\""); // window 1 ends at 102
        tokens.set(149, "\n"); // window 2 starts at 86, nominal end 150: ends at 150 (at the nominal end)
        List<Window> seen = new ArrayList<>();
        run(stream(tokens), StreamModeration.defaults().withWindow(64, 16, 8).fixedWindows(), flagging(HAZARD, seen));

        assertThat(seen)
                .extracting(w -> List.of(w.start(), w.freshStart(), w.end()))
                .containsExactly(
                        List.of(0, 0, 60),
                        List.of(44, 60, 102),
                        List.of(86, 102, 150),
                        List.of(134, 150, 198),
                        List.of(182, 198, 200));
    }

    @Test
    void sentenceBoundaries() {
        assertThat(WindowPlanner.endsSentence(".")).isTrue();
        assertThat(WindowPlanner.endsSentence(" end.")).isTrue();
        assertThat(WindowPlanner.endsSentence("?\" ")).isTrue();
        assertThat(WindowPlanner.endsSentence("!)")).isTrue();
        assertThat(WindowPlanner.endsSentence("\n\n")).isTrue();
        assertThat(WindowPlanner.endsSentence("a\nb")).isTrue();
        assertThat(WindowPlanner.endsSentence(" word")).isFalse();
        assertThat(WindowPlanner.endsSentence(",")).isFalse();
        assertThat(WindowPlanner.endsSentence(" ")).isFalse();
    }

    @Test
    void settingsRejectWindowsThatCouldNotAdvance() {
        assertThatThrownBy(() -> StreamModeration.defaults().withWindow(16, 12, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(StreamModeration.defaults().withWindow(17, 12, 4).windowTokens())
                .isEqualTo(17);
        assertThat(StreamModeration.defaults())
                .isEqualTo(new StreamModeration(
                        StreamMode.HOLD_BACK, 64, 16, 8, 2, 4, Duration.ofMillis(20), Duration.ofMillis(500)));
        assertThatThrownBy(() -> StreamModeration.defaults().withRamp(65, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksMayRunConcurrentlyButAreAppliedInWindowOrder() {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(upstream.asFlux(), PLAIN.withMaxInFlightChecks(2), check)
                .subscribe(events::add);
        List<String> tokens = tokens(120, -1);
        emit(upstream, tokens);
        assertThat(check.windows()).hasSize(2);

        check.answer(1, WindowResult.pass());
        assertThat(releases(events)).isEmpty();
        check.answer(0, WindowResult.pass());
        assertThat(releasedText(events)).isEqualTo(join(tokens, 0, 112));
    }

    @Test
    void holdBackKeepsExactOrderWithChecksAndGenerationOnOtherThreads() {
        List<String> tokens = tokens(500, -1);
        Flux<StreamChunk> upstream = stream(tokens).publishOn(Schedulers.boundedElastic(), 1);
        WindowCheck slow = w -> Mono.fromCallable(WindowResult::pass)
                .delayElement(Duration.ofMillis(w.index() % 3), Schedulers.parallel());
        List<ModeratedEvent> events = moderator
                .moderate(upstream, PLAIN.withMaxInFlightChecks(3), slow)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    // ---- optimistic ----

    @Test
    void optimisticCutsWithinOneWindowOfTheViolation() {
        List<String> tokens = tokens(200, HAZARD_AT);
        AtomicBoolean generationCancelled = new AtomicBoolean();
        Flux<StreamChunk> upstream = stream(tokens).doOnCancel(() -> generationCancelled.set(true));

        List<ModeratedEvent> events =
                run(upstream, PLAIN.withMode(StreamMode.OPTIMISTIC), flagging(HAZARD, new ArrayList<>()));

        Cut cut = single(events, Cut.class);
        assertThat(cut.window().freshStart()).isLessThanOrEqualTo(HAZARD_AT);
        assertThat(cut.window().end()).isGreaterThan(HAZARD_AT);
        int released = releases(events).size();
        assertThat(released).isEqualTo(cut.releasedTokens());
        assertThat(released - HAZARD_AT).isBetween(1, PLAIN.windowTokens());
        assertThat(releasedText(events)).isEqualTo(join(tokens, 0, released));
        assertThat(releases(events)).noneMatch(c -> c.finishReason() != null || c.usage() != null);
        assertThat(generationCancelled).isTrue();
        assertThat(summary(events).outcome()).isEqualTo(Outcome.CUT);
    }

    @Test
    void optimisticReleasesWithoutWaitingForChecksButHoldsTheFinishUntilTheyPass() {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(upstream.asFlux(), PLAIN.withMode(StreamMode.OPTIMISTIC), check)
                .subscribe(events::add);
        List<String> tokens = tokens(100, -1);
        emit(upstream, tokens);
        upstream.tryEmitNext(StreamChunk.finish(0, FinishReason.STOP));
        upstream.tryEmitNext(StreamChunk.usage(USAGE));
        upstream.tryEmitComplete();

        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
        assertThat(releases(events)).hasSize(100);
        check.answer(0, WindowResult.pass());
        assertThat(releases(events)).hasSize(100);
        check.answer(1, WindowResult.pass());
        assertThat(releases(events)).hasSize(102);
        assertThat(releases(events).get(101).usage()).isEqualTo(USAGE);
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void optimisticViolationFoundAfterTheTextWasOutStillEndsWithACutAndNoFinish() {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(upstream.asFlux(), PLAIN.withMode(StreamMode.OPTIMISTIC), check)
                .subscribe(events::add);
        emit(upstream, tokens(100, -1));
        upstream.tryEmitNext(StreamChunk.finish(0, FinishReason.STOP));
        upstream.tryEmitNext(StreamChunk.usage(USAGE));
        upstream.tryEmitComplete();

        check.answer(0, WindowResult.violation(List.of("S1"), "violent"));
        assertThat(single(events, Cut.class).releasedTokens()).isEqualTo(100);
        assertThat(releases(events)).hasSize(100);
        assertThat(summary(events).usage()).isEqualTo(USAGE);
    }

    // ---- buffer ----

    @Test
    void bufferReleasesNothingOnAViolation() {
        List<ModeratedEvent> events = run(
                stream(tokens(200, HAZARD_AT)), PLAIN.withMode(StreamMode.BUFFER), flagging(HAZARD, new ArrayList<>()));
        assertThat(releases(events)).isEmpty();
        assertThat(single(events, Cut.class).releasedTokens()).isZero();
        assertThat(summary(events).outcome()).isEqualTo(Outcome.CUT);
    }

    @Test
    void bufferReleasesEverythingOnlyAfterTheWholeResponsePassed() {
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        ManualCheck check = new ManualCheck();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(upstream.asFlux(), PLAIN.withMode(StreamMode.BUFFER), check)
                .subscribe(events::add);
        List<String> tokens = tokens(200, -1);
        emit(upstream, tokens);
        upstream.tryEmitNext(StreamChunk.finish(0, FinishReason.STOP));
        upstream.tryEmitNext(StreamChunk.usage(USAGE));
        upstream.tryEmitComplete();
        for (int i = 0; i < 3; i++) {
            check.answer(i, WindowResult.pass());
            assertThat(releases(events)).isEmpty();
        }
        check.answer(3, WindowResult.pass());
        assertThat(releasedText(events)).isEqualTo(String.join("", tokens));
        assertThat(releases(events)).hasSize(202);
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    // ---- failures ----

    @Test
    void aCheckErrorIsACutNeverAPass() {
        WindowCheck failing = w -> w.index() == 1
                ? Mono.error(new IllegalStateException("classifier down"))
                : Mono.just(WindowResult.pass());
        List<ModeratedEvent> events = run(stream(tokens(200, -1)), PLAIN, failing);
        Cut cut = single(events, Cut.class);
        assertThat(cut.cause()).isEqualTo(Cut.Cause.CHECK_FAILED);
        assertThat(cut.rule()).isEqualTo("check failed: classifier down");
        assertThat(cut.window().index()).isEqualTo(1);
        assertThat(cut.categories()).isEmpty();
        assertThat(releases(events)).hasSize(64);
    }

    @Test
    void aCheckThatThrowsOrReturnsNothingIsACut() {
        WindowCheck throwing = w -> {
            throw new IllegalArgumentException("bad input");
        };
        assertThat(single(run(stream(tokens(80, -1)), PLAIN, throwing), Cut.class)
                        .rule())
                .isEqualTo("check failed: bad input");
        WindowCheck empty = w -> Mono.empty();
        assertThat(single(run(stream(tokens(80, -1)), PLAIN, empty), Cut.class).rule())
                .isEqualTo("check failed: the window check returned no result");
    }

    @Test
    void anUpstreamErrorEndsTheFluxWithItAndReleasesNothingUnchecked() {
        Flux<StreamChunk> upstream = Flux.fromIterable(tokens(100, -1))
                .map(t -> StreamChunk.text(0, t))
                .concatWith(Flux.error(new IllegalStateException("engine died")));
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        AtomicReference<ModerationSummary> ended = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        moderator
                .moderate(upstream, PLAIN, flagging(HAZARD, new ArrayList<>()), ended::set)
                .subscribe(events::add, error::set);
        assertThat(error.get()).hasMessage("engine died");
        assertThat(releases(events)).hasSize(64);
        assertThat(ended.get().outcome()).isEqualTo(Outcome.UPSTREAM_FAILED);
        assertThat(ended.get().error()).isEqualTo("engine died");
    }

    @Test
    void aSecondChoiceIsRefused() {
        Flux<StreamChunk> upstream = Flux.just(StreamChunk.text(0, "a"), StreamChunk.text(1, "b"));
        assertThatThrownBy(() -> moderator
                        .moderate(upstream, PLAIN, flagging(HAZARD, new ArrayList<>()))
                        .collectList()
                        .block(Duration.ofSeconds(5)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- several choices ----

    @Test
    void severalChoicesAreModeratedEachOnItsOwnAndACutEndsOnlyItsChoice() {
        List<String> clean = tokens(40, -1);
        List<String> hazardous = tokens(40, 20);
        List<StreamChunk> interleaved = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            interleaved.add(StreamChunk.text(0, clean.get(i)));
            interleaved.add(StreamChunk.text(1, hazardous.get(i)));
        }
        interleaved.add(StreamChunk.finish(0, FinishReason.STOP));
        interleaved.add(StreamChunk.finish(1, FinishReason.STOP));
        interleaved.add(StreamChunk.usage(USAGE));
        StreamModeration small = StreamModeration.defaults().withWindow(8, 2, 0).fixedWindows();
        AtomicReference<ModerationSummary> ended = new AtomicReference<>();

        List<ModeratedEvent> events = moderator
                .moderate(Flux.fromIterable(interleaved), 2, small, flagging(HAZARD, new ArrayList<>()), ended::set)
                .collectList()
                .block(Duration.ofSeconds(10));

        List<StreamChunk> released = releases(events);
        String first = released.stream()
                .filter(c -> c.index() == 0)
                .map(StreamChunk::text)
                .collect(Collectors.joining());
        String second = released.stream()
                .filter(c -> c.index() == 1)
                .map(StreamChunk::text)
                .collect(Collectors.joining());
        assertThat(first).isEqualTo(String.join("", clean));
        assertThat(released).anyMatch(c -> c.index() == 0 && c.finishReason() == FinishReason.STOP);
        Cut cut = single(events, Cut.class);
        // choice 1 gets what its passed windows held, nothing of the failing one's fresh tokens
        assertThat(cut.window().freshStart()).isLessThanOrEqualTo(20);
        assertThat(second)
                .isEqualTo(join(hazardous, 0, cut.window().freshStart()))
                .doesNotContain(HAZARD);
        assertThat(released).noneMatch(c -> c.index() == 1 && c.finishReason() != null);
        assertThat(cut.choice()).isEqualTo(1);
        assertThat(cut.finishChunk().index()).isEqualTo(1);
        // the usage covers both choices and comes last, after every choice ended
        assertThat(released.get(released.size() - 1).usage()).isEqualTo(USAGE);
        ModerationSummary summary = summary(events);
        assertThat(summary.outcome()).isEqualTo(Outcome.CUT);
        assertThat(summary.cut().choice()).isEqualTo(1);
        assertThat(summary.tokensReceived()).isGreaterThanOrEqualTo(40 + 20);
        assertThat(summary.usage()).isEqualTo(USAGE);
        assertThat(ended.get()).isEqualTo(summary);
    }

    @Test
    void whenEveryChoiceIsCutTheGenerationIsCancelled() {
        AtomicBoolean generationCancelled = new AtomicBoolean();
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(
                        upstream.asFlux().doOnCancel(() -> generationCancelled.set(true)),
                        2,
                        StreamModeration.defaults().withWindow(8, 2, 0).fixedWindows(),
                        flagging(HAZARD, new ArrayList<>()),
                        null)
                .subscribe(events::add);
        List<String> tokens = tokens(12, 3);
        for (String t : tokens) {
            upstream.tryEmitNext(StreamChunk.text(0, t));
        }
        assertThat(generationCancelled).isFalse();
        for (String t : tokens) {
            upstream.tryEmitNext(StreamChunk.text(1, t));
        }

        assertThat(generationCancelled).isTrue();
        assertThat(events)
                .filteredOn(Cut.class::isInstance)
                .extracting(e -> ((Cut) e).choice())
                .containsExactlyInAnyOrder(0, 1);
        assertThat(releases(events)).isEmpty();
        assertThat(summary(events).outcome()).isEqualTo(Outcome.CUT);
    }

    @Test
    void severalCleanChoicesAreAllReleasedWhole() {
        List<StreamChunk> interleaved = new ArrayList<>();
        List<String> tokens = tokens(30, -1);
        for (String t : tokens) {
            for (int c = 0; c < 3; c++) {
                interleaved.add(StreamChunk.text(c, t));
            }
        }
        for (int c = 0; c < 3; c++) {
            interleaved.add(StreamChunk.finish(c, FinishReason.LENGTH));
        }
        interleaved.add(StreamChunk.usage(USAGE));
        List<ModeratedEvent> events = moderator
                .moderate(
                        Flux.fromIterable(interleaved),
                        3,
                        StreamModeration.defaults(),
                        flagging(HAZARD, new ArrayList<>()),
                        null)
                .collectList()
                .block(Duration.ofSeconds(10));
        List<StreamChunk> released = releases(events);
        for (int c = 0; c < 3; c++) {
            int choice = c;
            assertThat(released.stream()
                            .filter(x -> x.index() == choice)
                            .map(StreamChunk::text)
                            .collect(Collectors.joining()))
                    .isEqualTo(String.join("", tokens));
            assertThat(released).anyMatch(x -> x.index() == choice && x.finishReason() == FinishReason.LENGTH);
        }
        assertThat(released.get(released.size() - 1).usage()).isEqualTo(USAGE);
        assertThat(summary(events).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(summary(events).tokensReleased()).isEqualTo(90);
    }

    // ---- chunks and cancellation ----

    @Test
    void aChunkWithTextAndFinishIsReleasedAsTextThenFinish() {
        ToolCall call = new ToolCall("call_1", "lookup", "{}");
        Flux<StreamChunk> upstream = Flux.just(
                StreamChunk.text(0, "Hello"),
                new StreamChunk(0, " world.", List.of(call), FinishReason.TOOL_CALLS, null, null),
                StreamChunk.usage(USAGE));
        List<ModeratedEvent> events = run(upstream, PLAIN, flagging(HAZARD, new ArrayList<>()));
        List<StreamChunk> released = releases(events);
        assertThat(released).extracting(StreamChunk::text).containsExactly("Hello", " world.", "", "");
        assertThat(released.get(1).finishReason()).isNull();
        assertThat(released.get(2).toolCalls()).containsExactly(call);
        assertThat(released.get(2).finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(released.get(3).usage()).isEqualTo(USAGE);
        assertThat(summary(events).windowsChecked()).isEqualTo(1);
    }

    @Test
    void anEmptyResponseNeedsNoCheck() {
        Flux<StreamChunk> upstream = Flux.just(StreamChunk.finish(0, FinishReason.STOP), StreamChunk.usage(USAGE));
        List<ModeratedEvent> events = run(upstream, PLAIN, w -> Mono.error(new AssertionError("no window")));
        assertThat(releases(events)).hasSize(2);
        assertThat(summary(events).windowsChecked()).isZero();
    }

    @Test
    void downstreamCancelCancelsTheGenerationAndTheCheckInFlight() {
        AtomicBoolean generationCancelled = new AtomicBoolean();
        AtomicBoolean checkCancelled = new AtomicBoolean();
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        WindowCheck never = w -> Mono.<WindowResult>never().doOnCancel(() -> checkCancelled.set(true));
        AtomicReference<ModerationSummary> ended = new AtomicReference<>();
        Disposable client = moderator
                .moderate(upstream.asFlux().doOnCancel(() -> generationCancelled.set(true)), PLAIN, never, ended::set)
                .subscribe();
        emit(upstream, tokens(70, -1));
        assertThat(checkCancelled).isFalse();

        client.dispose();
        assertThat(generationCancelled).isTrue();
        assertThat(checkCancelled).isTrue();
        assertThat(ended.get().outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(ended.get().tokensReceived()).isEqualTo(70);
        assertThat(ended.get().tokensReleased()).isZero();
    }

    @Test
    void aCutCancelsTheOtherChecksInFlight() {
        Sinks.One<WindowResult> first = Sinks.one();
        AtomicBoolean secondCancelled = new AtomicBoolean();
        WindowCheck check = w -> w.index() == 0
                ? first.asMono()
                : Mono.<WindowResult>never().doOnCancel(() -> secondCancelled.set(true));
        Sinks.Many<StreamChunk> upstream = Sinks.many().unicast().onBackpressureBuffer();
        List<ModeratedEvent> events = new CopyOnWriteArrayList<>();
        moderator
                .moderate(upstream.asFlux(), PLAIN.withMaxInFlightChecks(2), check)
                .subscribe(events::add);
        emit(upstream, tokens(120, -1));

        first.tryEmitValue(WindowResult.violation(List.of("S1"), "violent"));
        assertThat(secondCancelled).isTrue();
        assertThat(single(events, Cut.class).window().index()).isZero();
        assertThat(releases(events)).isEmpty();
    }

    @Test
    void theEndCallbackRunsOnceWithTheSummaryEvent() {
        List<ModerationSummary> ended = new CopyOnWriteArrayList<>();
        List<ModeratedEvent> events = moderator
                .moderate(stream(tokens(200, HAZARD_AT)), PLAIN, flagging(HAZARD, new ArrayList<>()), ended::add)
                .collectList()
                .block(Duration.ofSeconds(5));
        assertThat(ended).containsExactly(summary(events));
    }

    // ---- helpers ----

    /** {@code count} single-token chunks " w0", " w1", ...; the hazard word replaces the token at {@code hazardAt}. */
    static List<String> tokens(int count, int hazardAt) {
        return IntStream.range(0, count)
                .mapToObj(i -> i == hazardAt ? HAZARD : "w" + i + " ")
                .collect(Collectors.toList());
    }

    static Flux<StreamChunk> stream(List<String> tokens) {
        return Flux.fromIterable(tokens)
                .map(t -> StreamChunk.text(0, t))
                .concatWith(Flux.just(StreamChunk.finish(0, FinishReason.STOP), StreamChunk.usage(USAGE)));
    }

    private static void emit(Sinks.Many<StreamChunk> sink, List<String> tokens) {
        for (String t : tokens) {
            assertThat(sink.tryEmitNext(StreamChunk.text(0, t)).isSuccess()).isTrue();
        }
    }

    private static String join(List<String> tokens, int from, int to) {
        return String.join("", tokens.subList(from, to));
    }

    /** Flags any window whose text holds {@code word}; records what it was asked. */
    static WindowCheck flagging(String word, List<Window> seen) {
        return w -> {
            seen.add(w);
            return Mono.just(
                    w.text().contains(word)
                            ? WindowResult.violation(List.of("S9"), "hazard word")
                            : WindowResult.pass());
        };
    }

    /** A check answered by the test, window by window. */
    static final class ManualCheck implements WindowCheck {
        private final List<Window> windows = new CopyOnWriteArrayList<>();
        private final List<Sinks.One<WindowResult>> answers = new CopyOnWriteArrayList<>();
        private final List<java.util.concurrent.CompletableFuture<Window>> asked = new CopyOnWriteArrayList<>();

        @Override
        public synchronized Mono<WindowResult> check(Window window) {
            Sinks.One<WindowResult> answer = Sinks.one();
            answers.add(answer);
            windows.add(window);
            window(window.index()).complete(window);
            return answer.asMono();
        }

        /** Completes when window {@code index} is asked about (wait on it with a timeout). */
        synchronized java.util.concurrent.CompletableFuture<Window> window(int index) {
            while (asked.size() <= index) {
                asked.add(new java.util.concurrent.CompletableFuture<>());
            }
            return asked.get(index);
        }

        List<Window> windows() {
            return Collections.unmodifiableList(windows);
        }

        void answer(int window, WindowResult result) {
            assertThat(answers.get(window).tryEmitValue(result).isSuccess()).isTrue();
        }
    }

    private List<ModeratedEvent> run(Flux<StreamChunk> upstream, StreamModeration settings, WindowCheck check) {
        return moderator.moderate(upstream, settings, check).collectList().block(Duration.ofSeconds(10));
    }

    static List<StreamChunk> releases(List<ModeratedEvent> events) {
        return events.stream()
                .filter(Release.class::isInstance)
                .map(e -> ((Release) e).chunk())
                .toList();
    }

    static String releasedText(List<ModeratedEvent> events) {
        return releases(events).stream().map(StreamChunk::text).collect(Collectors.joining());
    }

    private static <T extends ModeratedEvent> T single(List<ModeratedEvent> events, Class<T> type) {
        List<T> found = events.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static ModerationSummary summary(List<ModeratedEvent> events) {
        return single(events, ModerationSummary.class);
    }
}
