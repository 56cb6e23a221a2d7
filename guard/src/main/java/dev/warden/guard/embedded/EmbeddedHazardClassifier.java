package dev.warden.guard.embedded;

import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.HazardCategory;
import dev.warden.inference.Role;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hazard head over the shared MiniLM embedding, in two parts: a binary head (is this a hazard at all?) trained on
 * every labelled source, and a category head (which S-code?) trained only on hazardous rows whose source names a
 * category. The verdict carries {@code unsafe} (the calibrated binary score, 0.5 = validation threshold) and, for
 * each supported S-code, {@code unsafe x q(code) / max q}: the most likely category gets the full unsafe score,
 * the others a share in proportion, so a policy threshold on any S-code never fires on content the binary head
 * passed. INPUT scores user turns; OUTPUT scores the response. Maximum over turns and windows.
 */
public final class EmbeddedHazardClassifier extends EmbeddedHeadsClassifier {

    public static final String NAME = "embedded-hazard";
    static final String RESOURCE = "/dev/warden/guard/embedded/hazard-head.json";

    private final DenseHead binary;
    private final DenseHead categories;
    private final double threshold;

    public EmbeddedHazardClassifier(SharedEncoder encoder, HeadFiles.Model model) {
        super(NAME, encoder, model);
        this.binary = model.head("unsafe");
        this.categories = model.head("category");
        this.threshold = model.threshold("unsafe");
        if (binary.labels().size() != 1 || binary.output() != DenseHead.Output.SIGMOID) {
            throw new IllegalStateException("head unsafe must be one sigmoid output");
        }
        supportedCategories(); // every category label must be an S-code
    }

    public static EmbeddedHazardClassifier load(SharedEncoder encoder) {
        return HeadFiles.build(
                HeadFiles.readResource(RESOURCE),
                RESOURCE,
                encoder,
                model -> new EmbeddedHazardClassifier(encoder, model));
    }

    /** Loads the heads from a file on disk instead of the shipped resource. */
    public static EmbeddedHazardClassifier load(SharedEncoder encoder, java.nio.file.Path file) {
        return HeadFiles.build(
                HeadFiles.readFile(file),
                file.toString(),
                encoder,
                model -> new EmbeddedHazardClassifier(encoder, model));
    }

    /** The S-codes this head can name (the others never appear in its verdicts). */
    public Set<HazardCategory> supportedCategories() {
        Set<HazardCategory> codes = EnumSet.noneOf(HazardCategory.class);
        categories.labels().forEach(l -> codes.add(HazardCategory.valueOf(l)));
        return codes;
    }

    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.INPUT, Direction.OUTPUT);
    }

    @Override
    Mono<Map<String, Double>> scores(GuardInput input) {
        List<String> texts =
                input.direction() == Direction.OUTPUT ? List.of(input.response()) : texts(input, Role.USER);
        return Flux.fromIterable(texts)
                .flatMap(t -> encoder.embed(t).map(this::scores))
                .reduce(new HashMap<String, Double>(), (acc, s) -> {
                    s.forEach((k, v) -> acc.merge(k, v, Math::max));
                    return acc;
                })
                .map(s -> s.isEmpty() ? zeros() : s);
    }

    /** Scores of one text: {@code unsafe} plus one per supported S-code; used by the evaluation harness too. */
    public Mono<Map<String, Double>> scoreText(String text) {
        return encoder.embed(text).map(this::scores);
    }

    Map<String, Double> scores(float[][] windows) {
        Map<String, Double> out = new HashMap<>();
        for (float[] w : windows) {
            double unsafe = DenseHead.calibrate(binary.probabilities(w)[0], threshold);
            double[] q = categories.probabilities(w);
            double top = 0;
            for (double v : q) {
                top = Math.max(top, v);
            }
            out.merge("unsafe", unsafe, Math::max);
            for (int i = 0; i < q.length; i++) {
                out.merge(categories.labels().get(i), unsafe * q[i] / top, Math::max);
            }
        }
        return out;
    }

    private Map<String, Double> zeros() {
        Map<String, Double> out = new HashMap<>();
        out.put("unsafe", 0.0);
        categories.labels().forEach(l -> out.put(l, 0.0));
        return out;
    }
}
