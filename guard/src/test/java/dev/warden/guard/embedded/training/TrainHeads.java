package dev.warden.guard.embedded.training;

import dev.warden.guard.HazardCategory;
import dev.warden.guard.embedded.DenseHead;
import dev.warden.guard.embedded.HeadFiles;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.eval.BinaryMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Trains the embedded heads from ../shared/datasets (beside the repository) and writes them as resources. Steps: load the pool
 * ({@link DatasetCatalog}), drop duplicate texts, split by stable hash ({@link Split}), encode every text's first
 * window with MiniLM (cached in target/embedding-cache), train the heads ({@link MlpTrainer}), choose thresholds
 * on the validation split, write the head files, the split manifest (committed: which text hash went where) and
 * the held-out test rows as JSONL under target/eval for {@code dev.warden.guard.eval.Evaluate}.
 * <p>
 * Arguments (all optional): {@code datasets=../shared/datasets} (relative to the repository root).
 */
public final class TrainHeads {

    static final long SEED = 20241128L;
    static final int MIN_CATEGORY_TRAIN_ROWS = 20;
    static final List<String> ATTACK_LABELS = List.of("benign", "injection", "jailbreak");

    record Row(Example example, Split split) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        Path datasets = Path.of(options.getOrDefault("datasets", defaultDatasets()));
        Path module = Files.exists(Path.of("guard/pom.xml")) ? Path.of("guard") : Path.of(".");
        Path resources = module.resolve("src/main/resources/dev/warden/guard/embedded");
        Path manifest = module.resolve("src/test/resources/dev/warden/guard/embedded/training/split-manifest.tsv");
        Path target = module.resolve("target");
        long start = System.nanoTime();

        List<Row> rows = assign(new DatasetCatalog(datasets).load());
        System.out.printf("pool: %d unique texts%n", rows.size());

        EmbeddingStore store = new EmbeddingStore(target.resolve("embedding-cache/minilm-first-window.bin"));
        try (SentenceEncoder encoder = new SentenceEncoder(1)) {
            store.fill(rows.stream().map(r -> r.example().text()).toList(), encoder, 2);
        }
        System.out.printf("encoded in %.0f s%n", (System.nanoTime() - start) / 1e9);

        StringBuilder summary = new StringBuilder();
        Map<String, Object> splitInfo = strata(rows, summary);

        // ---- attack head ----
        List<Row> attackRows = rows.stream().filter(r -> r.example().attack() != null).toList();
        Function<Row, Integer> attackLabel = r -> ATTACK_LABELS.indexOf(r.example().attack());
        System.out.println("attack head:");
        DenseHead attack = new MlpTrainer(64, 40, 1e-3, 1e-4, SEED)
                .train(ATTACK_LABELS, data(attackRows, Split.TRAIN, attackLabel, store, 3),
                        data(attackRows, Split.VALIDATION, attackLabel, store, 3));
        Function<float[], Double> jailbreakRaw = x -> attack.probabilities(x)[2];
        Function<float[], Double> injectionRaw = x -> {
            double[] p = attack.probabilities(x);
            return p[1] + p[2];
        };
        double jailbreakThreshold = thresholdAtFpr(attackRows, Split.VALIDATION, "jailbreak", jailbreakRaw, store, 0.02);
        // (Setting the injection threshold against benign document passages only was tried: documents and
        // injected documents are too close in this embedding, TPR fell to ~45% at 3% FPR. All benign rows it is.)
        double injectionThreshold = thresholdAtFpr(attackRows, Split.VALIDATION, "injection", injectionRaw, store, 0.02);
        summary.append(String.format("attack thresholds (raw probability, 2%% FPR on all validation benign rows): jailbreak %.4f, injection %.4f%n",
                jailbreakThreshold, injectionThreshold));
        for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
            summary.append(line("jailbreak", s, metrics(attackRows, s, r -> r.example().attack().equals("jailbreak"),
                    r -> r.example().attack().equals("benign"), jailbreakRaw, store, jailbreakThreshold)));
            summary.append(line("injection", s, metrics(attackRows, s, r -> r.example().attack().equals("injection"),
                    r -> r.example().attack().equals("benign"), injectionRaw, store, injectionThreshold)));
        }

        // ---- hazard heads ----
        List<Row> hazardRows = rows.stream().filter(r -> r.example().unsafe() != null).toList();
        System.out.println("hazard binary head:");
        Function<Row, Integer> unsafeLabel = r -> r.example().unsafe() ? 1 : 0;
        DenseHead unsafeSoftmax = new MlpTrainer(64, 40, 1e-3, 1e-4, SEED + 1)
                .train(List.of("safe", "unsafe"), hazardData(hazardRows, Split.TRAIN, unsafeLabel, store),
                        hazardData(hazardRows, Split.VALIDATION, unsafeLabel, store));
        DenseHead unsafe = MlpTrainer.toSigmoid(unsafeSoftmax, "unsafe");
        Function<float[], Double> unsafeRaw = x -> unsafe.probabilities(x)[0];
        double unsafeThreshold = thresholdBestF1(hazardRows, Split.VALIDATION, unsafeRaw, store, 0.05);
        double contrastThreshold = thresholdAtFpr(hazardRows.stream().filter(r -> r.example().source().equals("coconot-pref"))
                .map(r -> new Row(r.example().withAttack("benign"), r.split())).toList(), Split.VALIDATION, "unsafe", unsafeRaw, store, 0.08);
        summary.append(String.format("hazard threshold (raw probability): best validation F1 at <= 5%% FPR %.4f; "
                + "<= 8%% FPR on validation coconot-pref (contrast-style) prompts %.4f; using the higher%n", unsafeThreshold, contrastThreshold));
        unsafeThreshold = Math.max(unsafeThreshold, contrastThreshold);
        for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
            summary.append(line("unsafe", s, metrics(hazardRows, s, r -> r.example().unsafe(), r -> !r.example().unsafe(),
                    unsafeRaw, store, unsafeThreshold)));
        }

        TreeMap<String, Integer> codeCounts = new TreeMap<>();
        hazardRows.stream().filter(r -> r.split() == Split.TRAIN && r.example().code() != null)
                .forEach(r -> codeCounts.merge(r.example().code(), 1, Integer::sum));
        List<String> codes = new ArrayList<>(codeCounts.entrySet().stream()
                .filter(e -> e.getValue() >= MIN_CATEGORY_TRAIN_ROWS).map(Map.Entry::getKey).toList());
        codes.sort((a, b) -> HazardCategory.valueOf(a).compareTo(HazardCategory.valueOf(b)));
        summary.append("category training rows per code: ").append(codeCounts).append('\n');
        summary.append("supported codes (>= ").append(MIN_CATEGORY_TRAIN_ROWS).append(" training rows): ").append(codes).append('\n');
        List<Row> categoryRows = hazardRows.stream()
                .filter(r -> r.example().unsafe() && r.example().code() != null && codes.contains(r.example().code())).toList();
        System.out.println("hazard category head:");
        Function<Row, Integer> codeLabel = r -> codes.indexOf(r.example().code());
        DenseHead category = new MlpTrainer(0, 60, 3e-3, 1e-4, SEED + 2)
                .train(codes, data(categoryRows, Split.TRAIN, codeLabel, store, codes.size()),
                        data(categoryRows, Split.VALIDATION, codeLabel, store, codes.size()));
        for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
            int right = 0;
            int total = 0;
            for (Row r : categoryRows) {
                if (r.split() == s) {
                    double[] p = category.probabilities(store.get(r.example().text()));
                    int argmax = 0;
                    for (int i = 1; i < p.length; i++) {
                        argmax = p[i] > p[argmax] ? i : argmax;
                    }
                    right += codes.get(argmax).equals(r.example().code()) ? 1 : 0;
                    total++;
                }
            }
            summary.append(String.format("category top-1 accuracy, %s: %.3f (%d rows)%n", s, right / (double) total, total));
        }

        // ---- write ----
        String version = "minilm-l6-v2-q+heads-" + Split.textHash(rows.size() + ":" + SEED + ":" + codes).substring(0, 8);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("trainedBy", "dev.warden.guard.embedded.training.TrainHeads (see guard/TRAINING.md)");
        meta.put("encoder", "all-MiniLM-L6-v2 int8 ONNX, mean pooling, L2-normalised, first window in training");
        meta.put("splits", splitInfo);
        meta.put("calibration", "verdict score = sigmoid(logit(p) - logit(threshold)): 0.5 is the operating point");
        Map<String, DenseHead> attackHeads = new LinkedHashMap<>();
        attackHeads.put("attack", attack);
        HeadFiles.write(resources.resolve("attack-head.json"), new HeadFiles.Model(version, attackHeads,
                ordered("jailbreak", jailbreakThreshold, "injection", injectionThreshold)), meta);
        Map<String, DenseHead> hazardHeads = new LinkedHashMap<>();
        hazardHeads.put("unsafe", unsafe);
        hazardHeads.put("category", category);
        HeadFiles.write(resources.resolve("hazard-head.json"), new HeadFiles.Model(version, hazardHeads,
                Map.of("unsafe", unsafeThreshold)), meta);
        writeManifest(rows, manifest, summary);
        writeTestFiles(rows, target.resolve("eval"));
        summary.append(String.format("total time %.0f s%n", (System.nanoTime() - start) / 1e9));
        Files.writeString(manifest.resolveSibling("training-summary.txt"), summary.toString());
        System.out.print(summary);
    }

    /** Dedupes by normalised text (first row wins) and assigns each remaining row its split. */
    static List<Row> assign(List<Example> examples) {
        Map<String, Row> unique = new LinkedHashMap<>();
        for (Example e : examples) {
            if (e.text() == null || e.text().isBlank()) {
                continue;
            }
            String norm = Split.normalise(e.text());
            if (unique.containsKey(norm)) {
                continue;
            }
            Split split = e.forced() != null ? e.forced() : Split.of(e.group() != null ? e.group() : norm);
            unique.put(norm, new Row(e, split));
        }
        return new ArrayList<>(unique.values());
    }

    private static Map<String, Object> strata(List<Row> rows, StringBuilder summary) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Row r : rows) {
            Example e = r.example();
            String label = (e.attack() == null ? "-" : e.attack()) + "/"
                    + (e.unsafe() == null ? "-" : e.unsafe() ? "unsafe" + (e.code() == null ? "" : ":" + e.code()) : "safe");
            counts.computeIfAbsent(e.source() + "\t" + label, k -> new int[3])[r.split().ordinal()]++;
        }
        summary.append("stratum (source, attack/hazard label)\ttrain\tvalidation\ttest\n");
        int[] total = new int[3];
        counts.forEach((k, c) -> {
            summary.append(k).append('\t').append(c[0]).append('\t').append(c[1]).append('\t').append(c[2]).append('\n');
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        });
        summary.append(String.format("TOTAL\t\t%d\t%d\t%d%n", total[0], total[1], total[2]));
        // ordered maps throughout, so that a rerun writes byte-identical head files
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("train", total[0]);
        sizes.put("validation", total[1]);
        sizes.put("test", total[2]);
        return sizes;
    }

    /**
     * Sources of benign texts that look like hazards (over-refusal contrast prompts, security questions, profanity
     * without hate, neutral statements about identity groups) weigh three times as much in the hazard heads: they
     * are the false positives that matter.
     */
    static final java.util.Set<String> HARD_NEGATIVES = java.util.Set.of("coconot-pref", "cyberseceval-mitre-frr",
            "davidson-offensive", "toxigen-neutral", "coconot-eval-nonsafety");

    private static MlpTrainer.Data data(List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store,
                                        int classes) {
        return data0(rows, split, label, store, classes);
    }

    private static MlpTrainer.Data hazardData(List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store) {
        MlpTrainer.Data d = data0(rows, split, label, store, 2);
        List<Row> selected = rows.stream().filter(r -> r.split() == split).toList();
        for (int i = 0; i < d.w().length; i++) {
            if (HARD_NEGATIVES.contains(selected.get(i).example().source())) {
                d.w()[i] *= 3;
            }
        }
        return d;
    }

    private static MlpTrainer.Data data0(List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store,
                                         int classes) {
        List<Row> selected = rows.stream().filter(r -> r.split() == split).toList();
        float[][] x = new float[selected.size()][];
        int[] y = new int[selected.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = store.get(selected.get(i).example().text());
            y[i] = label.apply(selected.get(i));
        }
        return new MlpTrainer.Data(x, y, MlpTrainer.balancedWeights(y, classes));
    }

    /** Lowest threshold keeping the validation FPR (label vs benign) at or under maxFpr: the highest TPR allowed. */
    static double thresholdAtFpr(List<Row> rows, Split split, String positive, Function<float[], Double> score,
                                 EmbeddingStore store, double maxFpr) {
        double[] negatives = rows.stream().filter(r -> r.split() == split && r.example().attack().equals("benign"))
                .mapToDouble(r -> score.apply(store.get(r.example().text()))).sorted().toArray();
        int allowed = (int) Math.floor(maxFpr * negatives.length);
        return Math.nextUp(negatives[negatives.length - 1 - allowed]);
    }

    static double thresholdBestF1(List<Row> rows, Split split, Function<float[], Double> score, EmbeddingStore store,
                                  double maxFpr) {
        List<BinaryMetrics.Scored> scored = rows.stream().filter(r -> r.split() == split)
                .map(r -> new BinaryMetrics.Scored(score.apply(store.get(r.example().text())), r.example().unsafe())).toList();
        TreeSet<Double> candidates = new TreeSet<>();
        scored.forEach(s -> candidates.add(s.score()));
        double best = 0.5;
        double bestF1 = -1;
        for (double t : candidates) {
            BinaryMetrics m = BinaryMetrics.of(scored, t);
            if (m.fpr() <= maxFpr && m.f1() > bestF1) {
                bestF1 = m.f1();
                best = t;
            }
        }
        return best;
    }

    private static BinaryMetrics metrics(List<Row> rows, Split split, Predicate<Row> positive, Predicate<Row> negative,
                                         Function<float[], Double> score, EmbeddingStore store, double threshold) {
        List<BinaryMetrics.Scored> scored = new ArrayList<>();
        for (Row r : rows) {
            if (r.split() == split && (positive.test(r) || negative.test(r))) {
                scored.add(new BinaryMetrics.Scored(score.apply(store.get(r.example().text())), positive.test(r)));
            }
        }
        return BinaryMetrics.of(scored, threshold);
    }

    private static String line(String head, Split split, BinaryMetrics m) {
        return String.format("%s %s (first window): pos %d neg %d TPR %.3f FPR %.3f precision %.3f F1 %.3f AUPRC %.3f ROC AUC %.3f%n",
                head, split, m.positives(), m.negatives(), m.tpr(), m.fpr(), m.precision(), m.f1(), m.auprc(), m.rocAuc());
    }

    private static void writeManifest(List<Row> rows, Path manifest, StringBuilder summary) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Row r : rows) {
            lines.add(r.split().name().toLowerCase() + "\t" + r.example().source() + "\t" + Split.textHash(r.example().text()));
        }
        lines.sort(null);
        Files.createDirectories(manifest.getParent());
        List<String> out = new ArrayList<>();
        out.add("# split\tsource\tsha256(normalised text)[0:16]; written by TrainHeads, one line per training-pool text");
        out.addAll(lines);
        Files.write(manifest, out);
    }

    private static void writeTestFiles(List<Row> rows, Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonMapper json = JsonMapper.builder().build();
        List<String> attack = new ArrayList<>();
        List<String> injection = new ArrayList<>();
        List<String> hazard = new ArrayList<>();
        for (Row r : rows) {
            if (r.split() != Split.TEST) {
                continue;
            }
            Example e = r.example();
            if (e.attack() != null) {
                ObjectNode n = json.createObjectNode();
                n.put("text", e.text());
                n.put("label", e.attack());
                n.put("source", e.source());
                attack.add(json.writeValueAsString(n));
                if (e.attack().equals("injection") || e.source().equals("bipia-context")) {
                    injection.add(json.writeValueAsString(n));
                }
            }
            if (e.unsafe() != null) {
                ObjectNode n = json.createObjectNode();
                n.put("text", e.text());
                n.put("label", e.unsafe() ? "unsafe" : "safe");
                n.put("category", e.code() == null ? (e.unsafe() ? "unspecified" : "safe") : e.code());
                n.put("source", e.source());
                hazard.add(json.writeValueAsString(n));
            }
        }
        Files.write(dir.resolve("attack-test.jsonl"), attack);
        Files.write(dir.resolve("hazard-test.jsonl"), hazard);
        Files.write(dir.resolve("injection-test.jsonl"), injection);
        System.out.printf("held-out test rows: attack %d, hazard %d (in %s)%n", attack.size(), hazard.size(), dir);
    }

    private static Map<String, Double> ordered(String k1, double v1, String k2, double v2) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private TrainHeads() {
    }

    /** The shared datasets live beside the repository; the command may run from the root or from guard/. */
    static String defaultDatasets() {
        Path fromRoot = Path.of("..", "shared", "datasets");
        return java.nio.file.Files.isDirectory(fromRoot) ? fromRoot.toString()
                : Path.of("..", "..", "shared", "datasets").toString();
    }
}
