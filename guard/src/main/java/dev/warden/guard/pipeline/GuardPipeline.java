package dev.warden.guard.pipeline;

import dev.warden.guard.Classifier;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
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
 * A prompt check judges all the client's text, not only the turns each classifier reads by role: see
 * {@link GuardViews}. Each classifier still gives one verdict per check.
 * <pre>{@code
 * GuardPipeline input = GuardPipeline.builder()
 *         .stage(promptGuard, Duration.ofMillis(250))
 *         .stage(llamaGuard, Duration.ofSeconds(2))
 *         .stage(new ContentRules(), Duration.ofMillis(50))
 *         .cache(new VerdictCache(100_000, Duration.ofMinutes(10)))
 *         .build();
 * Mono<GuardReport> report = input.run(GuardInput.prompt(messages), tenant.id() + ":" + policyVersion);
 * }</pre>
 */
public final class GuardPipeline {

    private final List<GuardStage> stages;
    private final VerdictCache cache;

    public GuardPipeline(List<GuardStage> stages, VerdictCache cache) {
        this.stages = List.copyOf(stages);
        this.cache = cache;
        long names = this.stages.stream().map(s -> s.classifier().name()).distinct().count();
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
                return Mono.just(new GuardReport(List.of(), List.of(), List.of(), skipped,
                        Duration.ofNanos(System.nanoTime() - start)));
            }
            List<String> ran = Collections.synchronizedList(new ArrayList<>());
            List<String> cached = Collections.synchronizedList(new ArrayList<>());
            // Building the views folds and decodes every text: linear work, but not for an event-loop thread.
            return Mono.fromCallable(() -> views(input))
                    .subscribeOn(input.direction() == dev.warden.guard.Direction.INPUT
                            ? Schedulers.parallel() : Schedulers.immediate())
                    .flatMap(views -> Flux.fromIterable(applicable)
                            .flatMapSequential(stage -> judge(stage, views, cacheScope, ran, cached))
                            .collectList())
                    .map(verdicts -> new GuardReport(verdicts, inOrder(applicable, ran), inOrder(applicable, cached),
                            skipped, Duration.ofNanos(System.nanoTime() - start)));
        });
    }

    /** One input the classifiers read, with its cache digest. */
    private record View(GuardInput input, String digest) {
    }

    private List<View> views(GuardInput input) {
        return GuardViews.of(input).stream()
                .map(v -> new View(v, cache == null ? null : VerdictCache.contentDigest(v)))
                .toList();
    }

    /**
     * The stage's classifier on every view at once, under the stage's deadline; one verdict for the stage. It is OK
     * only when every view was judged; otherwise it has the status of the first failure and carries the scores of
     * the views that were judged, so a view found unsafe still counts whatever the tenant's fail mode.
     */
    private Mono<Verdict> judge(GuardStage stage, List<View> views, String cacheScope, List<String> ran,
                                List<String> cached) {
        Classifier classifier = stage.classifier();
        long start = System.nanoTime();
        boolean[] anyRan = {false};
        boolean[] allCached = {true};
        return Flux.fromIterable(views)
                .flatMapSequential(view -> judgeView(stage, view, cacheScope, anyRan, allCached))
                .collectList()
                .map(verdicts -> {
                    if (anyRan[0]) {
                        ran.add(classifier.name());
                    } else if (allCached[0]) {
                        cached.add(classifier.name());
                    }
                    return merge(classifier, verdicts, Duration.ofNanos(System.nanoTime() - start));
                });
    }

    private Mono<Verdict> judgeView(GuardStage stage, View view, String cacheScope, boolean[] anyRan,
                                    boolean[] allCached) {
        Classifier classifier = stage.classifier();
        VerdictCache.Key key = cache == null ? null : VerdictCache.key(view.digest(), classifier, cacheScope);
        if (key != null) {
            Optional<Verdict> hit = cache.get(key);
            if (hit.isPresent()) {
                return Mono.just(hit.get());
            }
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            synchronized (anyRan) {
                anyRan[0] = true;
                allCached[0] = false;
            }
            // defer: a classifier that throws instead of signalling still becomes an ERROR verdict
            return Mono.defer(() -> classifier.classify(view.input()))
                    .timeout(stage.deadline(), Mono.fromSupplier(() -> failed(classifier, Verdict.Status.TIMEOUT,
                            start, "no verdict within " + stage.deadline().toMillis() + " ms")))
                    .onErrorResume(e -> Mono.just(failed(classifier, Verdict.Status.ERROR, start, describe(e))))
                    .switchIfEmpty(Mono.fromSupplier(() -> failed(classifier, Verdict.Status.ERROR, start,
                            "completed without a verdict")))
                    .doOnNext(verdict -> {
                        // only a verdict on the whole view is kept: a timeout or an error says nothing about it
                        if (key != null && verdict.ok()) {
                            cache.put(key, verdict);
                        }
                    });
        });
    }

    /** One verdict from the verdicts on each view: the highest score per label, the first failure's status. */
    static Verdict merge(Classifier classifier, List<Verdict> verdicts, Duration latency) {
        if (verdicts.size() == 1) {
            return verdicts.get(0);
        }
        Map<String, Double> scores = new HashMap<>();
        Verdict failure = null;
        List<String> details = new ArrayList<>();
        int judged = 0;
        for (Verdict v : verdicts) {
            v.scores().forEach((label, score) -> scores.merge(label, score, Math::max));
            if (v.ok()) {
                judged++;
            } else if (failure == null) {
                failure = v;
            }
            if (v.detail() != null && !details.contains(v.detail())) {
                details.add(v.detail());
            }
        }
        String detail = details.isEmpty() ? null : String.join("; ", details);
        if (failure == null) {
            return new Verdict(classifier.name(), classifier.version(), Verdict.Status.OK, scores, latency, detail);
        }
        return new Verdict(classifier.name(), classifier.version(), failure.status(), scores, latency,
                failure.detail() + " (" + judged + " of " + verdicts.size() + " parts judged)");
    }

    private static Verdict failed(Classifier classifier, Verdict.Status status, long start, String detail) {
        return Verdict.failed(classifier.name(), classifier.version(), status,
                Duration.ofNanos(System.nanoTime() - start), detail);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static List<String> inOrder(List<GuardStage> stages, List<String> names) {
        return stages.stream().map(s -> s.classifier().name()).filter(names::contains).toList();
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
