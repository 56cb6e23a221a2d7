package dev.warden.guard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class GuardPipelineTest {

    private static final GuardInput PROMPT = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "hello")));
    private static final Duration GENEROUS = Duration.ofSeconds(10);

    @Test
    void classifiersRunConcurrently() {
        // each classifier finishes only after both have started: run one after the other, the first would time out
        List<String> events = new CopyOnWriteArrayList<>();
        Sinks.Empty<Void> bothStarted = Sinks.empty();
        AtomicLong started = new AtomicLong();
        ScriptedClassifier[] pair = new ScriptedClassifier[2];
        for (int i = 0; i < 2; i++) {
            String name = "slow-" + i;
            pair[i] = new ScriptedClassifier(
                    name,
                    Set.of(Direction.INPUT),
                    input -> Mono.defer(() -> {
                        events.add(name + " started");
                        if (started.incrementAndGet() == 2) {
                            bothStarted.tryEmitEmpty();
                        }
                        return bothStarted.asMono().then(Mono.fromSupplier(() -> {
                            events.add(name + " finished");
                            return Verdict.ok(name, "v1", Map.of("unsafe", 0.1), Duration.ZERO);
                        }));
                    }));
        }
        GuardReport report = GuardPipeline.builder()
                .stage(pair[0], GENEROUS)
                .stage(pair[1], GENEROUS)
                .build()
                .run(PROMPT, "p1")
                .block();

        assertThat(report.verdicts()).extracting(Verdict::status).containsExactly(Verdict.Status.OK, Verdict.Status.OK);
        assertThat(report.verdicts()).extracting(Verdict::classifier).containsExactly("slow-0", "slow-1");
        assertThat(events.subList(0, 2)).containsExactlyInAnyOrder("slow-0 started", "slow-1 started");
        assertThat(report.ran()).containsExactly("slow-0", "slow-1");
    }

    @Test
    void aMissedDeadlineIsATimeoutVerdictAndOthersStillAnswer() {
        ScriptedClassifier hangs = new ScriptedClassifier("hangs", Set.of(Direction.INPUT), input -> Mono.never());
        ScriptedClassifier quick = ScriptedClassifier.answering("quick", 0.2);

        GuardReport report = GuardPipeline.builder()
                .stage(hangs, Duration.ofMillis(50))
                .stage(quick, GENEROUS)
                .build()
                .run(PROMPT, "p1")
                .block();

        Verdict timedOut = report.verdict("hangs").orElseThrow();
        assertThat(timedOut.status()).isEqualTo(Verdict.Status.TIMEOUT);
        assertThat(timedOut.detail()).contains("50 ms");
        assertThat(timedOut.scores()).isEmpty();
        assertThat(report.verdict("quick").orElseThrow().ok()).isTrue();
        assertThat(report.complete()).isFalse();
    }

    @Test
    void errorsBecomeErrorVerdictsWithTheReason() {
        ScriptedClassifier signals = new ScriptedClassifier(
                "signals",
                Set.of(Direction.INPUT),
                input -> Mono.error(new IllegalStateException("model file vanished")));
        ScriptedClassifier throwsAtOnce = new ScriptedClassifier("throws", Set.of(Direction.INPUT), input -> {
            throw new UnsupportedOperationException("not wired");
        });
        ScriptedClassifier empty = new ScriptedClassifier("empty", Set.of(Direction.INPUT), input -> Mono.empty());

        GuardReport report = GuardPipeline.builder()
                .stage(signals, GENEROUS)
                .stage(throwsAtOnce, GENEROUS)
                .stage(empty, GENEROUS)
                .build()
                .run(PROMPT, "p1")
                .block();

        assertThat(report.verdicts()).extracting(Verdict::status).containsOnly(Verdict.Status.ERROR);
        assertThat(report.verdict("signals").orElseThrow().detail())
                .isEqualTo("IllegalStateException: model file vanished");
        assertThat(report.verdict("throws").orElseThrow().detail()).contains("not wired");
        assertThat(report.verdict("empty").orElseThrow().detail()).contains("without a verdict");
    }

    @Test
    void classifiersForTheOtherDirectionAreSkipped() {
        ScriptedClassifier outputOnly = new ScriptedClassifier(
                "output-only", Set.of(Direction.OUTPUT), input -> Mono.error(new AssertionError("must not run")));
        ScriptedClassifier both = ScriptedClassifier.answering("both", 0.0);

        GuardReport report = GuardPipeline.builder()
                .stage(outputOnly, GENEROUS)
                .stage(both, GENEROUS)
                .build()
                .run(PROMPT, "p1")
                .block();

        assertThat(report.skipped()).containsExactly("output-only");
        assertThat(report.ran()).containsExactly("both");
        assertThat(report.verdicts()).hasSize(1);
        assertThat(outputOnly.calls).hasValue(0);
    }

    @Test
    void aDirectionNoClassifierJudgesGetsAnEmptyReportNamingTheSkipped() {
        ScriptedClassifier outputOnly = new ScriptedClassifier(
                "output-only", Set.of(Direction.OUTPUT), input -> Mono.error(new AssertionError("must not run")));

        GuardReport report = GuardPipeline.builder()
                .stage(outputOnly, GENEROUS)
                .build()
                .run(PROMPT, "p1")
                .block();

        assertThat(report.verdicts()).isEmpty();
        assertThat(report.ran()).isEmpty();
        assertThat(report.skipped()).containsExactly("output-only");
        assertThat(outputOnly.calls).hasValue(0);
    }

    @Test
    void aCacheHitAvoidsASecondClassification() {
        ScriptedClassifier counted = ScriptedClassifier.answering("counted", 0.3);
        GuardPipeline pipeline = GuardPipeline.builder()
                .stage(counted, GENEROUS)
                .cache(new VerdictCache(100, Duration.ofMinutes(5)))
                .build();

        GuardReport first = pipeline.run(PROMPT, "p1").block();
        GuardReport second = pipeline.run(GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "hello"))), "p1")
                .block();

        assertThat(counted.calls).hasValue(1);
        assertThat(first.ran()).containsExactly("counted");
        assertThat(second.cached()).containsExactly("counted");
        assertThat(second.ran()).isEmpty();
        assertThat(second.verdicts()).containsExactlyElementsOf(first.verdicts());
    }

    @Test
    void policyVersionClassifierVersionOrContentChangesMiss() {
        ScriptedClassifier counted = ScriptedClassifier.answering("counted", 0.3);
        GuardPipeline pipeline = GuardPipeline.builder()
                .stage(counted, GENEROUS)
                .cache(new VerdictCache(100, Duration.ofMinutes(5)))
                .build();

        pipeline.run(PROMPT, "p1").block();
        pipeline.run(PROMPT, "p2").block();
        assertThat(counted.calls).hasValue(2);

        counted.version = "v2";
        pipeline.run(PROMPT, "p2").block();
        assertThat(counted.calls).hasValue(3);

        pipeline.run(GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "hello!"))), "p2")
                .block();
        pipeline.run(GuardInput.response(List.of(ChatMessage.of(Role.USER, "hello")), ""), "p2")
                .block();
        assertThat(counted.calls).hasValue(5);
    }

    @Test
    void failedVerdictsAreNotCached() {
        ScriptedClassifier failing = new ScriptedClassifier(
                "failing", Set.of(Direction.INPUT), input -> Mono.error(new IllegalStateException("down")));
        VerdictCache cache = new VerdictCache(100, Duration.ofMinutes(5));
        GuardPipeline pipeline =
                GuardPipeline.builder().stage(failing, GENEROUS).cache(cache).build();

        pipeline.run(PROMPT, "p1").block();
        pipeline.run(PROMPT, "p1").block();

        assertThat(failing.calls).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void cachedVerdictsExpireAndTheCacheIsBounded() {
        AtomicLong nanos = new AtomicLong();
        Ticker ticker = nanos::get;
        VerdictCache cache = new VerdictCache(2, Duration.ofMinutes(5), ticker);
        ScriptedClassifier counted = ScriptedClassifier.answering("counted", 0.3);
        GuardPipeline pipeline =
                GuardPipeline.builder().stage(counted, GENEROUS).cache(cache).build();

        pipeline.run(PROMPT, "p1").block();
        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        pipeline.run(PROMPT, "p1").block();
        assertThat(counted.calls).hasValue(2);

        for (int i = 0; i < 5; i++) {
            pipeline.run(GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "text " + i))), "p1")
                    .block();
        }
        assertThat(cache.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void contentDigestSeparatesFields() {
        GuardInput a = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "ab"), ChatMessage.of(Role.USER, "c")));
        GuardInput b = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "a"), ChatMessage.of(Role.USER, "bc")));

        assertThat(VerdictCache.contentDigest(a))
                .isNotEqualTo(VerdictCache.contentDigest(b))
                .hasSize(64);
    }
}
