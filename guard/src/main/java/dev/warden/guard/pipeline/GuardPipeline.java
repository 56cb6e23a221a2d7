package dev.warden.guard.pipeline;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs the classifiers that apply to an input's direction, all at once, each under its own deadline, and
 * collects their verdicts into a {@link GuardReport}. It never fails and never blocks: a classifier that misses
 * its deadline yields a TIMEOUT verdict (and is cancelled), one that signals an error or completes empty yields an
 * ERROR verdict with the reason in its detail; policy then applies the tenant's fail mode. OK verdicts are cached
 * when a {@link VerdictCache} is configured.
 * <p>
 * A prompt check judges all the client's text, not only the turns each classifier reads by role, and long turns
 * in segments: see {@link GuardView}.
 * <pre>{@code
 * GuardPipeline pipeline = GuardPipeline.builder()
 *         .stage(promptGuard, Duration.ofMillis(250))          // any Classifier, e.g. a PromptGuardClassifier
 *         .stage(llamaGuard, Duration.ofSeconds(2))
 *         .stage(new ContentRulesClassifier(), Duration.ofMillis(50))
 *         .cache(new VerdictCache(100_000, Duration.ofMinutes(10)))
 *         .build();
 * String scope = tenantId + ":" + policyVersion;
 * Mono<GuardReport> prompt = pipeline.run(GuardInput.prompt(messages), scope);
 * Mono<GuardReport> answer = pipeline.run(GuardInput.response(messages, responseText), scope);
 * }</pre>
 */
public final class GuardPipeline {

    private final List<GuardStage> stages;
    private final VerdictCache cache;

    public GuardPipeline(List<GuardStage> stages, VerdictCache cache) {
        this.stages = List.copyOf(stages);
        this.cache = cache;
        long names =
                this.stages.stream().map(s -> s.classifier().name()).distinct().count();
        if (names != this.stages.size()) {
            throw new IllegalArgumentException("classifier names must be unique in a pipeline");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<GuardStage> stages() {
        return stages;
    }

    /**
     * @param cacheScope part of the cache key: pass something that names the caller and changes whenever its
     *                   policy does (e.g. the tenant id and a hash of the tenant's policy file), so no verdict
     *                   outlives the policy it was for, and no tenant can learn by timing what another one sent
     */
    public Mono<GuardReport> run(GuardInput input, String cacheScope) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            List<GuardStage> applicable = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (GuardStage stage : stages) {
                if (stage.classifier().directions().contains(input.direction())) {
                    applicable.add(stage);
                } else {
                    skipped.add(stage.classifier().name());
                }
            }
            if (applicable.isEmpty()) {
                // Nothing judges this direction: no digest to compute, no operators to assemble.
                return Mono.just(new GuardReport(
                        List.of(), List.of(), List.of(), skipped, Duration.ofNanos(System.nanoTime() - start)));
            }
            List<String> ran = Collections.synchronizedList(new ArrayList<>());
            List<String> cached = Collections.synchronizedList(new ArrayList<>());
            // Building what is judged folds and decodes every text: linear work, but not for an event-loop thread.
            return Mono.fromCallable(() -> GuardView.of(input))
                    .subscribeOn(input.direction() == Direction.INPUT ? Schedulers.parallel() : Schedulers.immediate())
                    .flatMap(judged -> {
                        String content = cache == null ? null : VerdictCache.contentDigest(judged);
                        return Flux.fromIterable(applicable)
                                .flatMapSequential(stage -> judge(stage, judged, content, cacheScope, ran, cached))
                                .collectList();
                    })
                    .map(verdicts -> new GuardReport(
                            verdicts,
                            inOrder(applicable, ran),
                            inOrder(applicable, cached),
                            skipped,
                            Duration.ofNanos(System.nanoTime() - start)));
        });
    }

    private Mono<Verdict> judge(
            GuardStage stage,
            GuardInput input,
            String content,
            String cacheScope,
            List<String> ran,
            List<String> cached) {
        Classifier classifier = stage.classifier();
        VerdictCache.Key key = cache == null ? null : VerdictCache.key(content, classifier, cacheScope);
        if (key != null) {
            Optional<Verdict> hit = cache.get(key);
            if (hit.isPresent()) {
                cached.add(classifier.name());
                return Mono.just(hit.get());
            }
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            ran.add(classifier.name());
            // defer: a classifier that throws instead of signalling still becomes an ERROR verdict
            return Mono.defer(() -> classifier.classify(input))
                    .timeout(
                            stage.deadline(),
                            Mono.fromSupplier(() -> failed(
                                    classifier,
                                    Verdict.Status.TIMEOUT,
                                    start,
                                    "no verdict within " + stage.deadline().toMillis() + " ms")))
                    .onErrorResume(e -> Mono.just(failed(classifier, Verdict.Status.ERROR, start, describe(e))))
                    .switchIfEmpty(Mono.fromSupplier(
                            () -> failed(classifier, Verdict.Status.ERROR, start, "completed without a verdict")))
                    .doOnNext(verdict -> {
                        // only a verdict on all of the text is kept: a timeout or an error says nothing about it
                        if (key != null && verdict.ok()) {
                            cache.put(key, verdict);
                        }
                    });
        });
    }

    private static Verdict failed(Classifier classifier, Verdict.Status status, long start, String detail) {
        return Verdict.failed(
                classifier.name(), classifier.version(), status, Duration.ofNanos(System.nanoTime() - start), detail);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static List<String> inOrder(List<GuardStage> stages, List<String> names) {
        return stages.stream()
                .map(s -> s.classifier().name())
                .filter(names::contains)
                .toList();
    }

    public static final class Builder {

        private final List<GuardStage> stages = new ArrayList<>();
        private VerdictCache cache;

        public Builder stage(Classifier classifier, Duration deadline) {
            stages.add(new GuardStage(classifier, deadline));
            return this;
        }

        public Builder cache(VerdictCache cache) {
            this.cache = cache;
            return this;
        }

        public GuardPipeline build() {
            return new GuardPipeline(stages, cache);
        }
    }
}
