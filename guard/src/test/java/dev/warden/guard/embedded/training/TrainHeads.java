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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * Arguments (all optional): {@code datasets=../shared/datasets} (relative to the repository root),
 * {@code encoderDelta=FILE} (heads for a fine-tuned encoder), {@code encoderModel=FILE} (heads for an encoder graph
 * file, e.g. the fused int8 graph of guard/tools/fuse-encoder.sh), {@code out=DIR} (write a candidate there),
 * {@code seed=N} (the heads' training seed; default the one the shipped heads were trained with), {@code seeds=N,M,...}
 * (one head per seed, their logits averaged into one head; see {@link MlpTrainer#trainEnsemble}), {@code realUserFpr=F}
 * (a cap on each real-user source's full-path validation FPR for the jailbreak threshold; 0, the
 * default, leaves it off, so that the command with no arguments reproduces the shipped heads 409a345e; runs C and D of
 * the encoder fine-tuning used 0.10), {@code matchShipped=true} (every threshold is also held so that no benign validation
 * source is flagged more often than the shipped heads flag it, see {@link FalsePositiveProfile}; run E) or
 * {@code matchShipped=real} (the same for the sources the project did not generate that have at least
 * {@value #MATCHED_SOURCE_MIN_ROWS} validation rows; run F).
 */
public final class TrainHeads {

    static final long SEED = 20241128L;
    static final int MIN_CATEGORY_TRAIN_ROWS = 20;
    static final List<String> ATTACK_LABELS = List.of("benign", "injection", "jailbreak");

    record Row(Example example, Split split) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        Path datasets = Path.of(options.getOrDefault("datasets", defaultDatasets()));
        Path module = Files.exists(Path.of("guard/pom.xml")) ? Path.of("guard") : Path.of(".");
        // out=DIR: a candidate (e.g. heads for a fine-tuned encoder) is written there instead of over the shipped files
        Path candidate = options.containsKey("out") ? Path.of(options.get("out")) : null;
        Path resources = candidate != null ? candidate : module.resolve("src/main/resources/dev/warden/guard/embedded");
        Path manifest = candidate != null
                ? candidate.resolve("split-manifest.tsv")
                : module.resolve("src/test/resources/dev/warden/guard/embedded/training/split-manifest.tsv");
        if (candidate != null) {
            Files.createDirectories(candidate);
        }
        Path target = module.resolve("target");
        double realUserFpr = Double.parseDouble(options.getOrDefault("realUserFpr", "0"));
        String matchMode = options.getOrDefault("matchShipped", "false");
        if (!List.of("false", "true", "real").contains(matchMode)) {
            throw new IllegalArgumentException("matchShipped= takes false, true or real, not " + matchMode);
        }
        boolean matchShipped = !matchMode.equals("false");
        // run F: the project's own generated look-alikes (a few templates each, 12 to 27 correlated validation rows
        // per source) set run E's thresholds alone; they stay held by the pooled rules, real traffic by its count
        Function<Map<String, double[]>, Map<String, double[]>> matched =
                matchMode.equals("real") ? TrainHeads::realSources : m -> m;
        // another seed shows how much of a difference between two candidates is the heads' own training noise
        long seed = Long.parseLong(options.getOrDefault("seed", String.valueOf(SEED)));
        List<Long> seeds = options.containsKey("seeds")
                ? java.util.Arrays.stream(options.get("seeds").split(","))
                        .map(String::trim)
                        .map(Long::parseLong)
                        .toList()
                : List.of(seed);
        long start = System.nanoTime();

        List<HeldOutSets.Item> heldOut = HeldOutSets.load(datasets);
        StringBuilder dropped = new StringBuilder();
        List<Row> rows = withoutHeldOut(assign(new DatasetCatalog(datasets).load()), heldOut, dropped);
        System.out.printf("pool: %d unique texts%n", rows.size());

        // encoderDelta=PATH (FineTuneEncoder's output) or encoderModel=PATH (a graph file): heads for that encoder;
        // its embeddings get their own cache file, named by its id
        String encoderId;
        EmbeddingStore store;
        Map<String, List<float[][]>> fullPath = Map.of();
        // the shipped heads' view of the same rows (base encoder), for matchShipped
        EmbeddingStore shippedStore = null;
        Map<String, List<float[][]>> shippedFullPath = Map.of();
        try (SentenceEncoder encoder =
                SentenceEncoder.candidate(options.get("encoderModel"), options.get("encoderDelta"), 1)) {
            // one cache file per encoder: the base model's keeps its old name; a graph file's is named by its hash
            String suffix = encoder.id().equals("all-minilm-l6-v2-q")
                    ? ""
                    : "-"
                            + encoder.id()
                                    .substring(Math.max(
                                                    encoder.id().indexOf('+'),
                                                    encoder.id().indexOf(':'))
                                            + 1);
            store = new EmbeddingStore(target.resolve("embedding-cache/minilm-first-window" + suffix + ".bin"));
            encoderId = encoder.id();
            List<String> texts =
                    new ArrayList<>(rows.stream().map(r -> r.example().text()).toList());
            heldOut.forEach(i -> texts.add(i.text()));
            store.fill(texts, encoder, 2);
            if (realUserFpr > 0 || matchShipped) {
                fullPath = fullPathVectors(rows, encoder);
            }
            if (matchShipped) {
                try (SentenceEncoder base = SentenceEncoder.candidate(null, null, 1)) {
                    shippedStore = new EmbeddingStore(target.resolve("embedding-cache/minilm-first-window.bin"));
                    shippedStore.fill(texts, base, 2);
                    shippedFullPath = fullPathVectors(rows, base);
                }
            }
        }
        System.out.printf("encoded in %.0f s%n", (System.nanoTime() - start) / 1e9);

        long trainStart = System.nanoTime();
        StringBuilder summary = new StringBuilder();
        summary.append(dropped);
        Map<String, Object> splitInfo = strata(rows, summary);

        // ---- attack head ----
        List<Row> attackRows =
                rows.stream().filter(r -> r.example().attack() != null).toList();
        Function<Row, Integer> attackLabel =
                r -> ATTACK_LABELS.indexOf(r.example().attack());
        System.out.println("attack head:");
        DenseHead attack = MlpTrainer.trainEnsemble(
                seeds,
                64,
                40,
                1e-3,
                1e-4,
                ATTACK_LABELS,
                weighted(attackRows, Split.TRAIN, attackLabel, store, 3, ATTACK_WEIGHTS),
                weighted(attackRows, Split.VALIDATION, attackLabel, store, 3, ATTACK_WEIGHTS));
        Function<float[], Double> jailbreakRaw = x -> attack.probabilities(x)[2];
        Function<float[], Double> injectionRaw = x -> {
            double[] p = attack.probabilities(x);
            return p[1] + p[2];
        };
        double jailbreakAll = thresholdAtFpr(attackRows, Split.VALIDATION, "jailbreak", jailbreakRaw, store, 0.02);
        // Real user prompts (long persona prompts, instructions that say "ignore" or "system prompt") are the false
        // positives users meet; the easy benign rows (trivia, maths) would otherwise set the threshold alone.
        double jailbreakOrdinary = thresholdAtFpr(
                attackRows.stream()
                        .filter(r ->
                                ORDINARY_PROMPT_SOURCES.contains(r.example().source())
                                        || !r.example().attack().equals("benign"))
                        .toList(),
                Split.VALIDATION,
                "jailbreak",
                jailbreakRaw,
                store,
                0.04);
        double jailbreakThreshold = Math.max(jailbreakAll, jailbreakOrdinary);
        // Each real-user source on its own, through the full path (every window and segment, as served): pooled with
        // the easy rows, one source's long prompts (arena-hard) can be read as jailbreaks twice as often while the
        // pooled rate stays at its cap (run B of the fine-tuned encoder, EVALUATION.md)
        if (realUserFpr > 0) {
            double jailbreakRealUser = 0;
            for (var source : fullPath.entrySet()) {
                jailbreakRealUser = Math.max(
                        jailbreakRealUser, thresholdAtFpr(maxScores(source.getValue(), jailbreakRaw), realUserFpr));
            }
            double pooled = jailbreakThreshold;
            double chosen = Math.max(pooled, jailbreakRealUser);
            summary.append(String.format(
                    Locale.ROOT,
                    "jailbreak threshold %.4f = max(%.4f pooled rules, %.4f at <= %.0f%% full-path FPR on each "
                            + "real-user source's validation prompts, at least one prompt allowed)%n",
                    chosen,
                    pooled,
                    jailbreakRealUser,
                    100 * realUserFpr));
            jailbreakThreshold = chosen;
            for (var source : fullPath.entrySet()) {
                double[] scores = maxScores(source.getValue(), jailbreakRaw);
                long flagged =
                        java.util.Arrays.stream(scores).filter(x -> x >= pooled).count();
                long flaggedNow =
                        java.util.Arrays.stream(scores).filter(x -> x >= chosen).count();
                summary.append(String.format(
                        Locale.ROOT,
                        "  validation full path, %s: %d/%d flagged at the pooled threshold, %d/%d at the chosen one%n",
                        source.getKey(),
                        flagged,
                        scores.length,
                        flaggedNow,
                        scores.length));
            }
        }
        // (Setting the injection threshold against benign document passages only was tried: documents and
        // injected documents are too close in this embedding, TPR fell to ~45% at 3% FPR. All benign rows it is.)
        double injectionAll = thresholdAtFpr(attackRows, Split.VALIDATION, "injection", injectionRaw, store, 0.02);
        // Tool content must stay at <= 5% false positives on benign documents: the threshold is also held at 5% FPR
        // on the validation benign document passages, and the higher of the two is used.
        double injectionDocs = thresholdAtFpr(
                attackRows.stream()
                        .filter(r -> DOCUMENT_SOURCES.contains(r.example().source())
                                || !r.example().attack().equals("benign"))
                        .toList(),
                Split.VALIDATION,
                "injection",
                injectionRaw,
                store,
                0.05);
        double injectionThreshold = Math.max(injectionAll, injectionDocs);
        ShippedCounts shippedCounts = matchShipped
                ? new ShippedCounts(store, fullPath, shippedStore, shippedFullPath, matched, summary)
                : null;
        if (shippedCounts != null) {
            HeadFiles.Model shippedAttack =
                    HeadFiles.readFile(module.resolve(SHIPPED_HEADS).resolve("attack-head.json"));
            DenseHead reference = shippedAttack.head("attack");
            Predicate<Row> benign = r -> r.example().attack().equals("benign");
            jailbreakThreshold = shippedCounts.hold(
                    "jailbreak",
                    attackRows,
                    benign,
                    true,
                    jailbreakRaw,
                    x -> reference.probabilities(x)[2],
                    shippedAttack.threshold("jailbreak"),
                    jailbreakThreshold);
            injectionThreshold = shippedCounts.hold(
                    "injection",
                    attackRows,
                    benign,
                    false,
                    injectionRaw,
                    x -> {
                        double[] p = reference.probabilities(x);
                        return p[1] + p[2];
                    },
                    shippedAttack.threshold("injection"),
                    injectionThreshold);
        }
        summary.append(String.format(
                "attack thresholds (raw probability): jailbreak %.4f = max(%.4f at 2%% FPR on all validation benign rows, "
                        + "%.4f at 4%% FPR on validation real-user and attack-word prompts); injection %.4f = max(%.4f at 2%% FPR on all validation benign rows, %.4f at 5%% FPR on validation benign documents)%n",
                jailbreakThreshold, jailbreakAll, jailbreakOrdinary, injectionThreshold, injectionAll, injectionDocs));
        for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
            summary.append(line(
                    "jailbreak",
                    s,
                    metrics(
                            attackRows,
                            s,
                            r -> r.example().attack().equals("jailbreak"),
                            r -> r.example().attack().equals("benign"),
                            jailbreakRaw,
                            store,
                            jailbreakThreshold)));
            summary.append(line(
                    "injection",
                    s,
                    metrics(
                            attackRows,
                            s,
                            r -> r.example().attack().equals("injection"),
                            r -> r.example().attack().equals("benign"),
                            injectionRaw,
                            store,
                            injectionThreshold)));
        }

        // ---- hazard heads ----
        List<Row> hazardRows =
                rows.stream().filter(r -> r.example().unsafe() != null).toList();
        System.out.println("hazard binary head:");
        Function<Row, Integer> unsafeLabel = r -> r.example().unsafe() ? 1 : 0;
        DenseHead unsafeSoftmax = MlpTrainer.trainEnsemble(
                offset(seeds, 1),
                128,
                40,
                1e-3,
                1e-4,
                List.of("safe", "unsafe"),
                hazardData(hazardRows, Split.TRAIN, unsafeLabel, store),
                hazardData(hazardRows, Split.VALIDATION, unsafeLabel, store));
        DenseHead unsafe = MlpTrainer.toSigmoid(unsafeSoftmax, "unsafe");
        Function<float[], Double> unsafeRaw = x -> unsafe.probabilities(x)[0];
        double unsafeThreshold = thresholdBestF1(hazardRows, Split.VALIDATION, unsafeRaw, store, 0.05);
        double contrastThreshold = thresholdAtFpr(
                hazardRows.stream()
                        .filter(r -> CONTRAST_SOURCES.contains(r.example().source()))
                        .map(r -> new Row(r.example().withAttack("benign"), r.split()))
                        .toList(),
                Split.VALIDATION,
                "unsafe",
                unsafeRaw,
                store,
                CONTRAST_FPR);
        summary.append(String.format(
                "hazard threshold (raw probability): best validation F1 at <= 5%% FPR %.4f; "
                        + "<= %.0f%% FPR on validation benign-but-sensitive prompts (contrast families, coconot-pref) %.4f; using the higher%n",
                unsafeThreshold, 100 * CONTRAST_FPR, contrastThreshold));
        unsafeThreshold = Math.max(unsafeThreshold, contrastThreshold);
        if (shippedCounts != null) {
            HeadFiles.Model shippedHazard =
                    HeadFiles.readFile(module.resolve(SHIPPED_HEADS).resolve("hazard-head.json"));
            DenseHead reference = shippedHazard.head("unsafe");
            unsafeThreshold = shippedCounts.hold(
                    "unsafe",
                    hazardRows,
                    r -> !r.example().unsafe(),
                    false,
                    unsafeRaw,
                    x -> reference.probabilities(x)[0],
                    shippedHazard.threshold("unsafe"),
                    unsafeThreshold);
        }
        for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
            summary.append(line(
                    "unsafe",
                    s,
                    metrics(
                            hazardRows,
                            s,
                            r -> r.example().unsafe(),
                            r -> !r.example().unsafe(),
                            unsafeRaw,
                            store,
                            unsafeThreshold)));
        }

        TreeMap<String, Integer> codeCounts = new TreeMap<>();
        hazardRows.stream()
                .filter(r -> r.split() == Split.TRAIN && r.example().code() != null)
                .forEach(r -> codeCounts.merge(r.example().code(), 1, Integer::sum));
        List<String> codes = new ArrayList<>(codeCounts.entrySet().stream()
                .filter(e -> e.getValue() >= MIN_CATEGORY_TRAIN_ROWS)
                .map(Map.Entry::getKey)
                .toList());
        codes.sort((a, b) -> HazardCategory.valueOf(a).compareTo(HazardCategory.valueOf(b)));
        summary.append("category training rows per code: ").append(codeCounts).append('\n');
        summary.append("supported codes (>= ")
                .append(MIN_CATEGORY_TRAIN_ROWS)
                .append(" training rows): ")
                .append(codes)
                .append('\n');
        List<Row> categoryRows = hazardRows.stream()
                .filter(r -> r.example().unsafe()
                        && r.example().code() != null
                        && codes.contains(r.example().code()))
                .toList();
        System.out.println("hazard category head:");
        Function<Row, Integer> codeLabel = r -> codes.indexOf(r.example().code());
        DenseHead category = MlpTrainer.trainEnsemble(
                offset(seeds, 2),
                0,
                60,
                3e-3,
                1e-4,
                codes,
                data(categoryRows, Split.TRAIN, codeLabel, store, codes.size()),
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
            summary.append(
                    String.format("category top-1 accuracy, %s: %.3f (%d rows)%n", s, right / (double) total, total));
        }

        // ---- write ----
        String version = (encoderId.equals("all-minilm-l6-v2-q") ? "minilm-l6-v2-q" : encoderId) + "+heads-"
                + Split.textHash(rows.size() + ":" + seedsKey(seeds) + ":" + codes)
                        .substring(0, 8);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("trainedBy", "dev.warden.guard.embedded.training.TrainHeads (see guard/TRAINING.md)");
        meta.put("encoder", "all-MiniLM-L6-v2 int8 ONNX, mean pooling, L2-normalised, first window in training");
        meta.put("encoderId", encoderId);
        meta.put("splits", splitInfo);
        meta.put("calibration", "verdict score = sigmoid(logit(p) - logit(threshold)): 0.5 is the operating point");
        Map<String, Object> attackMeta = new LinkedHashMap<>(meta);
        Map<String, Object> attackPoints = new LinkedHashMap<>();
        attackPoints.put(
                "jailbreak",
                operatingPoint(
                        metrics(
                                attackRows,
                                Split.VALIDATION,
                                r -> r.example().attack().equals("jailbreak"),
                                r -> r.example().attack().equals("benign"),
                                jailbreakRaw,
                                store,
                                jailbreakThreshold),
                        "validation benign prompts (user turns)"));
        attackPoints.put(
                "injection",
                operatingPoint(
                        metrics(
                                attackRows,
                                Split.VALIDATION,
                                r -> !r.example().attack().equals("benign"),
                                r -> DOCUMENT_SOURCES.contains(r.example().source()),
                                injectionRaw,
                                store,
                                injectionThreshold),
                        "validation benign document passages (tool content)"));
        attackMeta.put("operatingPoints", attackPoints);
        Map<String, DenseHead> attackHeads = new LinkedHashMap<>();
        attackHeads.put("attack", attack);
        HeadFiles.write(
                resources.resolve("attack-head.json"),
                new HeadFiles.Model(
                        version,
                        attackHeads,
                        ordered("jailbreak", jailbreakThreshold, "injection", injectionThreshold)),
                attackMeta);
        Map<String, Object> hazardMeta = new LinkedHashMap<>(meta);
        hazardMeta.put("operatingPoints", hazardPoints(hazardRows, unsafe, category, codes, unsafeThreshold, store));
        meta = hazardMeta;
        Map<String, DenseHead> hazardHeads = new LinkedHashMap<>();
        hazardHeads.put("unsafe", unsafe);
        hazardHeads.put("category", category);
        HeadFiles.write(
                resources.resolve("hazard-head.json"),
                new HeadFiles.Model(version, hazardHeads, Map.of("unsafe", unsafeThreshold)),
                meta);
        writeManifest(rows, manifest, summary);
        writeTestFiles(rows, target.resolve("eval"));
        writeHeldOutFiles(heldOut, target.resolve("eval"));
        summary.append(
                String.format("training time (after encoding) %.0f s%n", (System.nanoTime() - trainStart) / 1e9));
        reportTestSplitBySource(
                rows,
                store,
                jailbreakRaw,
                jailbreakThreshold,
                injectionRaw,
                injectionThreshold,
                unsafeRaw,
                unsafeThreshold,
                summary);
        reportHeldOut(
                heldOut,
                store,
                jailbreakRaw,
                jailbreakThreshold,
                injectionRaw,
                injectionThreshold,
                unsafeRaw,
                unsafeThreshold,
                summary);
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
                    + (e.unsafe() == null
                            ? "-"
                            : e.unsafe() ? "unsafe" + (e.code() == null ? "" : ":" + e.code()) : "safe");
            counts.computeIfAbsent(e.source() + "\t" + label, k -> new int[3])[
                    r.split().ordinal()]++;
        }
        summary.append("stratum (source, attack/hazard label)\ttrain\tvalidation\ttest\n");
        int[] total = new int[3];
        counts.forEach((k, c) -> {
            summary.append(k)
                    .append('\t')
                    .append(c[0])
                    .append('\t')
                    .append(c[1])
                    .append('\t')
                    .append(c[2])
                    .append('\n');
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

    /** Benign tool-content sources: the documents the injection threshold must not flag. */
    static final java.util.Set<String> DOCUMENT_SOURCES =
            java.util.Set.of("bipia-context", "injecagent-benign-tool", "spikee-fp-check");
    /** Benign-but-sensitive prompts: the over-refusal contrast on which the unsafe threshold is held. */
    static final java.util.Set<String> CONTRAST_SOURCES = java.util.Set.of("contrast", "coconot-pref");

    static final double CONTRAST_FPR = 0.07;
    /** Real user prompts and benign prompts with attack words: where jailbreak false positives hurt. */
    static final java.util.Set<String> ORDINARY_PROMPT_SOURCES = java.util.Set.of(
            "arena-hard",
            "self-instruct",
            "mtbench-vicunabench",
            "notinject",
            "deepset-benign",
            "grammar-benign-wrapper",
            TakeoverPrompts.BENIGN_SOURCE,
            "contrast",
            "coconot-pref");
    /**
     * Real user prompts (and their benign look-alikes with override words): each source's false-positive rate is
     * held on its own when the jailbreak threshold is chosen, and the encoder fine-tuning can weigh them up.
     */
    static final java.util.Set<String> REAL_USER_SOURCES = java.util.Set.of(
            "arena-hard",
            "self-instruct",
            "mtbench-vicunabench",
            "deepset-benign",
            "notinject",
            TakeoverPrompts.BENIGN_SOURCE);
    /**
     * Rows that weigh more in the attack head: attacks hidden in benign text (padded jailbreaks, overrides inside
     * documents) and benign documents (x3-4: a window that is mostly benign text must still show the attack, and a
     * document alone must not look like one), and benign texts full of attack words (x2).
     */
    static final Map<String, Double> ATTACK_WEIGHTS = Map.ofEntries(
            Map.entry("padded-jailbreak", 4.0),
            Map.entry(InjectionGrammar.SOURCE + "-in-document", 3.0),
            Map.entry("synthetic-override-in-document", 3.0),
            Map.entry("bipia-context", 3.0),
            Map.entry("injecagent-benign-tool", 3.0),
            Map.entry("spikee-fp-check", 2.0),
            Map.entry("notinject", 2.0));

    private static MlpTrainer.Data weighted(
            List<Row> rows,
            Split split,
            Function<Row, Integer> label,
            EmbeddingStore store,
            int classes,
            Map<String, Double> weights) {
        MlpTrainer.Data d = data0(rows, split, label, store, classes);
        List<Row> selected = rows.stream().filter(r -> r.split() == split).toList();
        for (int i = 0; i < d.w().length; i++) {
            d.w()[i] *= weights.getOrDefault(selected.get(i).example().source(), 1.0);
        }
        return d;
    }

    private static Map<String, Object> operatingPoint(BinaryMetrics m, String negatives) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("score", 0.5);
        p.put("validationFalsePositiveRate", round4(m.fpr()));
        p.put("validationRecall", Double.isNaN(m.tpr()) ? null : round4(m.tpr())); // null: no validation positives
        p.put("negatives", negatives + " (" + m.negatives() + ")");
        p.put("positives", m.positives());
        return p;
    }

    private static double round4(double v) {
        return Double.isNaN(v) ? -1 : Math.round(v * 10000) / 10000.0;
    }

    /** Operating point of {@code unsafe} and of each S-code score (unsafe x q/max q >= 0.5) on the validation split. */
    private static Map<String, Object> hazardPoints(
            List<Row> hazardRows,
            DenseHead unsafe,
            DenseHead category,
            List<String> codes,
            double threshold,
            EmbeddingStore store) {
        Map<String, Object> points = new LinkedHashMap<>();
        List<Row> val =
                hazardRows.stream().filter(r -> r.split() == Split.VALIDATION).toList();
        List<BinaryMetrics.Scored> all = new ArrayList<>();
        List<BinaryMetrics.Scored> contrast = new ArrayList<>();
        Map<String, List<BinaryMetrics.Scored>> perCode = new LinkedHashMap<>();
        codes.forEach(c -> perCode.put(c, new ArrayList<>()));
        for (Row r : val) {
            float[] x = store.get(r.example().text());
            double u = DenseHead.calibrate(unsafe.probabilities(x)[0], threshold);
            all.add(new BinaryMetrics.Scored(u, r.example().unsafe()));
            if (CONTRAST_SOURCES.contains(r.example().source())) {
                contrast.add(new BinaryMetrics.Scored(u, false));
            }
            double[] q = category.probabilities(x);
            double top = java.util.Arrays.stream(q).max().orElse(1);
            for (int i = 0; i < codes.size(); i++) {
                String code = codes.get(i);
                boolean negative = !r.example().unsafe();
                boolean positive =
                        r.example().unsafe() && code.equals(r.example().code());
                if (positive || negative) {
                    perCode.get(code).add(new BinaryMetrics.Scored(u * q[i] / top, positive));
                }
            }
        }
        Map<String, Object> u = operatingPoint(BinaryMetrics.of(all, 0.5), "validation safe prompts");
        u.put(
                "validationFalsePositiveRateBenignButSensitive",
                round4(BinaryMetrics.of(contrast, 0.5).fpr()));
        points.put("unsafe", u);
        perCode.forEach((code, scored) ->
                points.put(code, operatingPoint(BinaryMetrics.of(scored, 0.5), "validation safe prompts")));
        return points;
    }

    /**
     * Drops pool texts that also occur in a held-out file (JBB goals partly come from HarmBench, for example): the
     * held-out file wins, so its figures stay clean.
     */
    static List<Row> withoutHeldOut(List<Row> rows, List<HeldOutSets.Item> heldOut, StringBuilder log) {
        java.util.Set<String> held = new java.util.HashSet<>();
        heldOut.forEach(i -> held.add(Split.normalise(i.text())));
        Map<String, Integer> bySource = new TreeMap<>();
        List<Row> kept = new ArrayList<>();
        for (Row r : rows) {
            if (held.contains(Split.normalise(r.example().text()))) {
                bySource.merge(r.example().source(), 1, Integer::sum);
            } else {
                kept.add(r);
            }
        }
        log.append("pool texts dropped because a held-out evaluation file holds them: ")
                .append(bySource)
                .append('\n');
        return kept;
    }

    /** Flag rate per (source, head) on the test split: recall for attack/hazard sources, FPR for benign ones. */
    private static void reportTestSplitBySource(
            List<Row> rows,
            EmbeddingStore store,
            Function<float[], Double> jailbreak,
            double jt,
            Function<float[], Double> injection,
            double it,
            Function<float[], Double> unsafe,
            double ut,
            StringBuilder summary) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Row r : rows) {
            if (r.split() != Split.TEST) {
                continue;
            }
            Example e = r.example();
            float[] x = store.get(e.text());
            if (e.attack() != null) {
                String head = e.attack().equals("injection") || DOCUMENT_SOURCES.contains(e.source())
                        ? "injection"
                        : "jailbreak";
                boolean flagged = head.equals("injection") ? injection.apply(x) >= it : jailbreak.apply(x) >= jt;
                int[] c = counts.computeIfAbsent(e.source() + "\t" + head + "\t" + e.attack(), k -> new int[2]);
                c[0] += flagged ? 1 : 0;
                c[1]++;
            }
            if (e.unsafe() != null) {
                int[] c = counts.computeIfAbsent(
                        e.source() + "\tunsafe\t" + (e.unsafe() ? "unsafe" : "safe"), k -> new int[2]);
                c[0] += unsafe.apply(x) >= ut ? 1 : 0;
                c[1]++;
            }
        }
        summary.append("test split by source (first window): source\thead\ttrue label\tflagged/rows\trate\n");
        counts.forEach(
                (k, c) -> summary.append(String.format("  %s\t%d/%d\t%.1f%%%n", k, c[0], c[1], 100.0 * c[0] / c[1])));
        Map<String, int[]> families = new TreeMap<>();
        for (Row r : rows) {
            Example e = r.example();
            if (r.split() == Split.TEST
                    && e.group() != null
                    && (e.group().startsWith("contrast:") || e.group().startsWith("unsafe:"))) {
                int[] c = families.computeIfAbsent(e.group(), k -> new int[2]);
                c[0] += unsafe.apply(store.get(e.text())) >= ut ? 1 : 0;
                c[1]++;
            }
        }
        summary.append("test-split template families (never trained on), unsafe flag rate:\n");
        families.forEach(
                (k, c) -> summary.append(String.format("  %s\t%d/%d\t%.1f%%%n", k, c[0], c[1], 100.0 * c[0] / c[1])));
    }

    /** Figures on whole held-out files (first window): the files never entered training or threshold choice. */
    private static void reportHeldOut(
            List<HeldOutSets.Item> items,
            EmbeddingStore store,
            Function<float[], Double> jailbreak,
            double jt,
            Function<float[], Double> injection,
            double it,
            Function<float[], Double> unsafe,
            double ut,
            StringBuilder summary) {
        Map<String, List<BinaryMetrics.Scored>> scored = new LinkedHashMap<>();
        Map<String, int[]> categories = new TreeMap<>();
        for (HeldOutSets.Item i : items) {
            float[] x = store.get(i.text());
            double s =
                    switch (i.head()) {
                        case "unsafe" -> unsafe.apply(x) / ut;
                        case "jailbreak" -> jailbreak.apply(x) / jt;
                        default -> injection.apply(x) / it;
                    };
            // scores divided by their threshold: >= 1 is flagged, and the order (AUPRC, ROC AUC) is unchanged
            scored.computeIfAbsent(i.set() + " / " + i.head(), k -> new ArrayList<>())
                    .add(new BinaryMetrics.Scored(s, i.positive()));
            if (i.category() != null) {
                int[] c = categories.computeIfAbsent(
                        i.set() + " / " + i.head() + " / " + (i.positive() ? "recall" : "FPR") + "[" + i.category()
                                + "]",
                        k -> new int[2]);
                c[0] += s >= 1 ? 1 : 0;
                c[1]++;
            }
        }
        summary.append("held-out files (first window; never in training or threshold choice):\n");
        scored.forEach((k, list) -> summary.append("  ").append(line(k, Split.TEST, BinaryMetrics.of(list, 1.0))));
        categories.forEach(
                (k, c) -> summary.append(String.format("    %s\t%d/%d\t%.1f%%%n", k, c[0], c[1], 100.0 * c[0] / c[1])));
    }

    /**
     * Sources of benign texts that look like hazards (over-refusal contrast prompts, security questions, profanity
     * without hate, neutral statements about identity groups) weigh three times as much in the hazard heads: they
     * are the false positives that matter.
     */
    static final java.util.Set<String> HARD_NEGATIVES = java.util.Set.of(
            "coconot-pref",
            "contrast",
            "notinject",
            "cyberseceval-mitre-frr",
            "davidson-offensive",
            "toxigen-neutral",
            "coconot-eval-nonsafety");

    private static MlpTrainer.Data data(
            List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store, int classes) {
        return data0(rows, split, label, store, classes);
    }

    private static MlpTrainer.Data hazardData(
            List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store) {
        MlpTrainer.Data d = data0(rows, split, label, store, 2);
        List<Row> selected = rows.stream().filter(r -> r.split() == split).toList();
        for (int i = 0; i < d.w().length; i++) {
            if (HARD_NEGATIVES.contains(selected.get(i).example().source())) {
                d.w()[i] *= 3;
            }
        }
        return d;
    }

    private static MlpTrainer.Data data0(
            List<Row> rows, Split split, Function<Row, Integer> label, EmbeddingStore store, int classes) {
        List<Row> selected = rows.stream().filter(r -> r.split() == split).toList();
        float[][] x = new float[selected.size()][];
        int[] y = new int[selected.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = store.get(selected.get(i).example().text());
            y[i] = label.apply(selected.get(i));
        }
        return new MlpTrainer.Data(x, y, MlpTrainer.balancedWeights(y, classes));
    }

    /** Full-path vectors (every window and segment) of each real-user source's benign validation prompts. */
    static Map<String, List<float[][]>> fullPathVectors(List<Row> rows, SentenceEncoder encoder) {
        Map<String, List<float[][]>> out = new TreeMap<>();
        for (Row r : rows) {
            Example e = r.example();
            if (r.split() == Split.VALIDATION
                    && REAL_USER_SOURCES.contains(e.source())
                    && "benign".equals(e.attack())) {
                out.computeIfAbsent(e.source(), k -> new ArrayList<>()).add(encoder.encode(e.text()));
            }
        }
        return out;
    }

    /** Benign and unsafe-but-not-attack sources the project writes itself (grammars, templates, frames). */
    static final java.util.Set<String> GENERATED_SOURCES = java.util.Set.of(
            ContrastPrompts.SOURCE,
            InjectionGrammar.BENIGN_SOURCE,
            TakeoverPrompts.BENIGN_SOURCE,
            HazardPrompts.SOURCE,
            "wrapped-benign",
            "wrapped-hazard");

    static final int MATCHED_SOURCE_MIN_ROWS = 20;

    /** The sources matchShipped=real holds: not generated by the project, and enough validation rows to count. */
    static Map<String, double[]> realSources(Map<String, double[]> bySource) {
        Map<String, double[]> out = new TreeMap<>();
        bySource.forEach((source, scores) -> {
            if (!GENERATED_SOURCES.contains(source) && scores.length >= MATCHED_SOURCE_MIN_ROWS) {
                out.put(source, scores);
            }
        });
        return out;
    }

    /**
     * The candidate's and the shipped heads' views of the validation rows (matchShipped): a label's threshold is raised
     * until no held source is flagged more often than the shipped heads flag it, and the summary says by what.
     */
    record ShippedCounts(
            EmbeddingStore store,
            Map<String, List<float[][]>> fullPath,
            EmbeddingStore shippedStore,
            Map<String, List<float[][]>> shippedFullPath,
            Function<Map<String, double[]>, Map<String, double[]>> held,
            StringBuilder summary) {

        double hold(
                String label,
                List<Row> rows,
                Predicate<Row> benign,
                boolean asUserTurn,
                Function<float[], Double> score,
                Function<float[], Double> shippedScore,
                double shippedThreshold,
                double threshold) {
            Map<String, double[]> now =
                    held.apply(benignScores(rows, benign, score, store, asUserTurn ? fullPath : Map.of()));
            FalsePositiveProfile profile = new FalsePositiveProfile(
                    held.apply(benignScores(
                            rows, benign, shippedScore, shippedStore, asUserTurn ? shippedFullPath : Map.of())),
                    shippedThreshold);
            double raised = Math.max(threshold, profile.threshold(now));
            summary.append(String.format(
                    Locale.ROOT,
                    "%s threshold held to the shipped heads' count on every held validation source: %.4f%n",
                    label,
                    raised));
            summary.append(profile.report(label, now, raised));
            // the rows that set the threshold, to be read: a mislabelled or borderline prompt is a reason to change the
            // data, not the rule
            Map<String, List<String>> texts = benignTexts(rows, benign, asUserTurn ? fullPath.keySet() : Set.of());
            now.forEach((source, scores) -> {
                int allowed = profile.allowed(source);
                if (raised > threshold && FalsePositiveProfile.thresholdFlaggingAtMost(scores, allowed) == raised) {
                    Integer[] order = new Integer[scores.length];
                    java.util.Arrays.setAll(order, i -> i);
                    java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
                    for (int k = 0; k <= allowed && k < order.length; k++) {
                        String text = texts.get(source).get(order[k]).replaceAll("\\s+", " ");
                        summary.append(String.format(
                                Locale.ROOT,
                                "    sets it, %s: %.4f %s%n",
                                source,
                                scores[order[k]],
                                text.substring(0, Math.min(160, text.length()))));
                    }
                }
            });
            return raised;
        }
    }

    /** The shipped head files, against which matchShipped holds a candidate's false positives. */
    static final String SHIPPED_HEADS = "src/main/resources/dev/warden/guard/embedded";

    /**
     * Each benign source's validation scores: first window, or every window and segment (highest score) for the
     * sources in {@code fullPath}, as the classifier reads a user turn.
     */
    static Map<String, double[]> benignScores(
            List<Row> rows,
            Predicate<Row> benign,
            Function<float[], Double> score,
            EmbeddingStore store,
            Map<String, List<float[][]>> fullPath) {
        Map<String, List<Double>> bySource = new TreeMap<>();
        for (Row r : rows) {
            if (r.split() == Split.VALIDATION
                    && benign.test(r)
                    && !fullPath.containsKey(r.example().source())) {
                bySource.computeIfAbsent(r.example().source(), k -> new ArrayList<>())
                        .add(score.apply(store.get(r.example().text())));
            }
        }
        Map<String, double[]> out = new TreeMap<>();
        bySource.forEach((source, scores) ->
                out.put(source, scores.stream().mapToDouble(Double::doubleValue).toArray()));
        fullPath.forEach((source, vectors) -> out.put(source, maxScores(vectors, score)));
        return out;
    }

    /** The texts behind {@link #benignScores}, in the same order, source by source. */
    static Map<String, List<String>> benignTexts(List<Row> rows, Predicate<Row> benign, Set<String> fullPath) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Row r : rows) {
            String source = r.example().source();
            boolean asScored =
                    fullPath.contains(source) ? "benign".equals(r.example().attack()) : benign.test(r);
            if (r.split() == Split.VALIDATION && asScored) {
                out.computeIfAbsent(source, k -> new ArrayList<>())
                        .add(r.example().text());
            }
        }
        return out;
    }

    /** Each text's highest score over its vectors, as the classifier reads a user turn. */
    static double[] maxScores(List<float[][]> texts, Function<float[], Double> score) {
        return texts.stream()
                .mapToDouble(vs -> java.util.Arrays.stream(vs)
                        .mapToDouble(score::apply)
                        .max()
                        .orElse(0))
                .toArray();
    }

    /** Lowest threshold flagging at most maxFpr of the negatives' scores, and never fewer than one of them. */
    static double thresholdAtFpr(double[] negatives, double maxFpr) {
        double[] sorted = negatives.clone();
        java.util.Arrays.sort(sorted);
        int allowed = Math.max(1, (int) Math.floor(maxFpr * sorted.length));
        return allowed >= sorted.length ? 0 : Math.nextUp(sorted[sorted.length - 1 - allowed]);
    }

    /** Lowest threshold keeping the validation FPR (label vs benign) at or under maxFpr: the highest TPR allowed. */
    static double thresholdAtFpr(
            List<Row> rows,
            Split split,
            String positive,
            Function<float[], Double> score,
            EmbeddingStore store,
            double maxFpr) {
        double[] negatives = rows.stream()
                .filter(r -> r.split() == split && r.example().attack().equals("benign"))
                .mapToDouble(r -> score.apply(store.get(r.example().text())))
                .sorted()
                .toArray();
        int allowed = (int) Math.floor(maxFpr * negatives.length);
        return Math.nextUp(negatives[negatives.length - 1 - allowed]);
    }

    static double thresholdBestF1(
            List<Row> rows, Split split, Function<float[], Double> score, EmbeddingStore store, double maxFpr) {
        List<BinaryMetrics.Scored> scored = rows.stream()
                .filter(r -> r.split() == split)
                .map(r -> new BinaryMetrics.Scored(
                        score.apply(store.get(r.example().text())), r.example().unsafe()))
                .toList();
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

    private static BinaryMetrics metrics(
            List<Row> rows,
            Split split,
            Predicate<Row> positive,
            Predicate<Row> negative,
            Function<float[], Double> score,
            EmbeddingStore store,
            double threshold) {
        List<BinaryMetrics.Scored> scored = new ArrayList<>();
        for (Row r : rows) {
            if (r.split() == split && (positive.test(r) || negative.test(r))) {
                scored.add(new BinaryMetrics.Scored(
                        score.apply(store.get(r.example().text())), positive.test(r)));
            }
        }
        return BinaryMetrics.of(scored, threshold);
    }

    private static String line(String head, Split split, BinaryMetrics m) {
        return String.format(
                "%s %s (first window): pos %d neg %d TPR %.3f FPR %.3f precision %.3f F1 %.3f AUPRC %.4f ROC AUC %.4f%n",
                head,
                split,
                m.positives(),
                m.negatives(),
                m.tpr(),
                m.fpr(),
                m.precision(),
                m.f1(),
                m.auprc(),
                m.rocAuc());
    }

    private static void writeManifest(List<Row> rows, Path manifest, StringBuilder summary) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Row r : rows) {
            lines.add(r.split().name().toLowerCase() + "\t" + r.example().source() + "\t"
                    + Split.textHash(r.example().text()));
        }
        lines.sort(null);
        Files.createDirectories(manifest.getParent());
        List<String> out = new ArrayList<>();
        out.add(
                "# split\tsource\tsha256(normalised text)[0:16]; written by TrainHeads, one line per training-pool text");
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

    /**
     * The held-out files as the training report reads them (HarmBench as context + behaviour), one JSONL file per
     * set and score ({@code heldout-harmbench-unsafe.jsonl}: text, label pos/neg, category), so that {@code Evaluate}
     * can run them through the real classifiers (every window and segment), not only the first window.
     */
    private static void writeHeldOutFiles(List<HeldOutSets.Item> items, Path dir) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, List<String>> files = new TreeMap<>();
        for (HeldOutSets.Item i : items) {
            ObjectNode n = json.createObjectNode();
            n.put("text", i.text());
            n.put("label", i.positive() ? "pos" : "neg");
            n.put("category", i.category() == null ? "-" : i.category());
            files.computeIfAbsent("heldout-" + i.set() + "-" + i.head() + ".jsonl", k -> new ArrayList<>())
                    .add(json.writeValueAsString(n));
        }
        for (var f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
    }

    private static Map<String, Double> ordered(String k1, double v1, String k2, double v2) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private TrainHeads() {}

    /** The shared datasets live beside the repository; the command may run from the root or from guard/. */
    static String defaultDatasets() {
        Path fromRoot = Path.of("..", "shared", "datasets");
        return java.nio.file.Files.isDirectory(fromRoot)
                ? fromRoot.toString()
                : Path.of("..", "..", "shared", "datasets").toString();
    }

    /** Each head type has always trained with its own offset from the seed (attack +0, unsafe +1, category +2). */
    private static List<Long> offset(List<Long> seeds, long by) {
        return seeds.stream().map(s -> s + by).toList();
    }

    /** One seed keeps the key the shipped heads' version was hashed from; an ensemble lists its seeds. */
    private static String seedsKey(List<Long> seeds) {
        return seeds.size() == 1
                ? String.valueOf(seeds.get(0))
                : String.join(",", seeds.stream().map(String::valueOf).toList());
    }
}
