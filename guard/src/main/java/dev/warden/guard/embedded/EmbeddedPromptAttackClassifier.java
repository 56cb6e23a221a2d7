package dev.warden.guard.embedded;

import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.inference.Role;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Prompt-attack head (benign / injection / jailbreak) over the shared MiniLM embedding. Follows Prompt Guard's
 * reading rules: user turns get the {@code jailbreak} score, P(jailbreak); tool results (third-party content,
 * which should hold no instructions at all) get the stricter {@code injection} score, P(injection) + P(jailbreak).
 * Tool content is read in short passages ({@link SentenceEncoder#PASSAGE_TOKENS}) so that one injected sentence
 * is not averaged away by the document around it. System and assistant turns are trusted and not scored. Each score is the maximum over turns and windows, and is
 * calibrated so that 0.5 is the operating threshold chosen on validation data.
 */
public final class EmbeddedPromptAttackClassifier extends EmbeddedHeadsClassifier {

    public static final String NAME = "embedded-prompt-attack";
    static final String RESOURCE = "/dev/warden/guard/embedded/attack-head.json";

    private final DenseHead head;
    private final int injection;
    private final int jailbreak;
    private final double jailbreakThreshold;
    private final double injectionThreshold;

    public EmbeddedPromptAttackClassifier(SharedEncoder encoder, HeadFiles.Model model) {
        super(NAME, encoder, model);
        this.head = model.head("attack");
        this.injection = head.indexOf("injection");
        this.jailbreak = head.indexOf("jailbreak");
        this.jailbreakThreshold = model.threshold("jailbreak");
        this.injectionThreshold = model.threshold("injection");
    }

    public static EmbeddedPromptAttackClassifier load(SharedEncoder encoder) {
        return HeadFiles.build(
                HeadFiles.readResource(RESOURCE),
                RESOURCE,
                encoder,
                model -> new EmbeddedPromptAttackClassifier(encoder, model));
    }

    /** Loads the heads from a file on disk instead of the shipped resource. */
    public static EmbeddedPromptAttackClassifier load(SharedEncoder encoder, java.nio.file.Path file) {
        return HeadFiles.build(
                HeadFiles.readFile(file),
                file.toString(),
                encoder,
                model -> new EmbeddedPromptAttackClassifier(encoder, model));
    }

    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.INPUT);
    }

    @Override
    Mono<Map<String, Double>> scores(GuardInput input) {
        return Mono.zip(maxScore(texts(input, Role.USER), true), maxScore(texts(input, Role.TOOL), false))
                .map(s -> Map.of("jailbreak", s.getT1(), "injection", s.getT2()));
    }

    /** Calibrated jailbreak score of one text (max over windows); used by the evaluation harness too. */
    public Mono<Double> jailbreakScore(String text) {
        return encoder.embed(text).map(w -> score(w, true));
    }

    /** Calibrated indirect-injection score of one text as tool content. */
    public Mono<Double> injectionScore(String text) {
        return encoder.embedPassages(text).map(w -> score(w, false));
    }

    private Mono<Double> maxScore(List<String> texts, boolean asJailbreak) {
        return Flux.fromIterable(texts)
                .flatMap(t ->
                        (asJailbreak ? encoder.embed(t) : encoder.embedPassages(t)).map(w -> score(w, asJailbreak)))
                .reduce(0.0, Math::max);
    }

    double score(float[][] windows, boolean asJailbreak) {
        double best = 0;
        for (float[] w : windows) {
            double[] p = head.probabilities(w);
            double raw = asJailbreak ? p[jailbreak] : p[injection] + p[jailbreak];
            best = Math.max(best, raw);
        }
        return DenseHead.calibrate(best, asJailbreak ? jailbreakThreshold : injectionThreshold);
    }
}
