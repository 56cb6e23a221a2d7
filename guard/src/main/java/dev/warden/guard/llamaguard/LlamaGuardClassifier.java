package dev.warden.guard.llamaguard;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.HazardCategory;
import dev.warden.guard.Verdict;
import dev.warden.inference.Choice;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.InferenceException;
import dev.warden.inference.SamplingParams;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Llama Guard 3 on an {@link InferenceEngine}: renders the prompt, asks for a short greedy completion with
 * logprobs, parses the answer strictly and scores it.
 * <p>
 * Scores: {@code unsafe} is the probability of the first decision token (see {@link UnsafeProbability}); when the
 * engine returns no usable logprobs it is 1.0 or 0.0 from the parsed answer and the verdict's detail says so.
 * Each returned, non-excluded category scores 1.0 (Meta publishes no per-category probability). If every
 * returned category is excluded the answer counts as safe and {@code unsafe} is 0.0. An answer that does not
 * parse is an ERROR verdict, and so is an engine failure; the pipeline's fail mode decides what that means.
 * <p>
 * Engines that cannot return logprobs (the in-process llama.cpp engine refuses them with INVALID_REQUEST) are
 * asked again without, and not asked for logprobs again; set {@code topLogprobs} to 0 to skip the first try.
 * The rendered prompt starts with {@code <|begin_of_text|>}: engines must not add a second BOS (llama.cpp's
 * completion path and OpenAI-compatible servers put BOS first only when the prompt lacks it; vLLM does add one).
 */
public final class LlamaGuardClassifier implements Classifier {

    private final InferenceEngine engine;
    private final LlamaGuardConfig config;
    private final LlamaGuardPrompt prompt;
    private final LlamaGuardVerdictParser parser;
    private final String version;
    private final AtomicBoolean logprobsRefused = new AtomicBoolean();

    public LlamaGuardClassifier(InferenceEngine engine, LlamaGuardConfig config) {
        this.engine = engine;
        this.config = config;
        this.prompt = new LlamaGuardPrompt(config.categories());
        this.parser = new LlamaGuardVerdictParser(config.categories());
        this.version = config.modelVersion() + "+" + config.categories().fingerprint();
    }

    @Override
    public String name() {
        return config.name();
    }

    /** The model version plus a fingerprint of the category block, since both change the answer. */
    @Override
    public String version() {
        return version;
    }

    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.INPUT, Direction.OUTPUT);
    }

    /** The same engine and settings with a tenant's categories (its own version, so its own cache entries). */
    public LlamaGuardClassifier withCategories(LlamaGuardCategories categories) {
        return new LlamaGuardClassifier(
                engine,
                new LlamaGuardConfig(
                        config.name(),
                        config.model(),
                        config.modelVersion(),
                        categories,
                        config.maxTokens(),
                        config.topLogprobs()));
    }

    public LlamaGuardConfig config() {
        return config;
    }

    public LlamaGuardPrompt prompt() {
        return prompt;
    }

    @Override
    public Mono<Verdict> classify(GuardInput input) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            String rendered;
            try {
                rendered = prompt.render(input);
            } catch (IllegalArgumentException e) {
                return Mono.just(failed(start, "cannot build the prompt: " + e.getMessage()));
            }
            boolean withLogprobs = config.topLogprobs() > 0 && !logprobsRefused.get();
            Mono<Generation> generation = engine.complete(request(rendered, withLogprobs));
            if (withLogprobs) {
                // an engine that cannot return logprobs (in-process llama.cpp) refuses the request: ask again
                // without them, and once that works, stop asking this engine
                generation = generation.onErrorResume(
                        e -> e instanceof InferenceException ie
                                && ie.kind() == InferenceException.Kind.INVALID_REQUEST
                                && String.valueOf(ie.getMessage()).contains("logprobs"),
                        e -> engine.complete(request(rendered, false)).doOnNext(g -> logprobsRefused.set(true)));
            }
            return generation
                    .map(g -> verdict(g, start))
                    .onErrorResume(
                            InferenceException.class,
                            e -> Mono.just(
                                    failed(start, "engine " + engine.kind() + " " + e.kind() + ": " + e.getMessage())));
        });
    }

    /** The completion request sent for a rendered prompt: greedy, short, with logprobs unless disabled. */
    public CompletionRequest request(String renderedPrompt) {
        return request(renderedPrompt, config.topLogprobs() > 0);
    }

    private CompletionRequest request(String renderedPrompt, boolean withLogprobs) {
        SamplingParams params = new SamplingParams(
                0.0,
                null,
                config.maxTokens(),
                List.of(),
                null,
                1,
                withLogprobs,
                withLogprobs ? config.topLogprobs() : null);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("model", config.model());
        body.put("prompt", renderedPrompt);
        body.put("temperature", 0.0);
        body.put("max_tokens", config.maxTokens());
        if (withLogprobs) {
            // the legacy completions API takes the number of alternatives in "logprobs" (an integer)
            body.put("logprobs", config.topLogprobs());
        }
        body.put("stream", false);
        // The rendered prompt already starts with <|begin_of_text|>; vLLM would add a second BOS otherwise.
        body.put("add_special_tokens", false);
        return new CompletionRequest(config.model(), renderedPrompt, params, false, false, body);
    }

    private Verdict verdict(Generation generation, long start) {
        if (generation.choices().isEmpty()) {
            return failed(start, "the engine returned no choice");
        }
        Choice choice = generation.choices().get(0);
        LlamaGuardAssessment assessment;
        try {
            assessment = parser.parse(choice.text());
        } catch (LlamaGuardFormatException e) {
            return failed(start, e.getMessage());
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        List<String> notes = new java.util.ArrayList<>();
        OptionalDouble fromLogprobs = UnsafeProbability.of(choice.logprobs());
        if (!assessment.suppressed().isEmpty() && assessment.violated().isEmpty()) {
            scores.put("unsafe", 0.0);
            notes.add("unsafe only in excluded " + codes(assessment.suppressed()) + ": treated as safe");
        } else if (fromLogprobs.isPresent()) {
            scores.put("unsafe", fromLogprobs.getAsDouble());
        } else {
            scores.put("unsafe", assessment.safe() ? 0.0 : 1.0);
            notes.add("unsafe score from the answer text: the engine returned no usable logprobs");
        }
        for (HazardCategory category : assessment.violated()) {
            scores.put(category.code(), 1.0);
        }
        if (!assessment.suppressed().isEmpty() && !assessment.violated().isEmpty()) {
            notes.add("excluded " + codes(assessment.suppressed()) + " suppressed");
        }
        return new Verdict(
                name(),
                version,
                Verdict.Status.OK,
                scores,
                elapsed(start),
                notes.isEmpty() ? null : String.join("; ", notes));
    }

    private Verdict failed(long start, String detail) {
        return Verdict.failed(name(), version, Verdict.Status.ERROR, elapsed(start), detail);
    }

    private static String codes(List<HazardCategory> categories) {
        return String.join(",", categories.stream().map(HazardCategory::code).toList());
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
