package dev.warden.guard.eval;

import dev.warden.guard.Classifier;
import dev.warden.guard.embedded.EmbeddedClassifiers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluation command: runs one classifier over a labelled JSONL or CSV file (optionally .gz) and prints TPR, FPR,
 * precision, F1 (at a threshold), AUPRC and ROC AUC, plus recall per category. Deterministic: rows are read in
 * file order, and a {@code limit} keeps the rows with the smallest text hash.
 * <pre>
 * file=PATH            JSONL (.jsonl, .jsonl.gz) or CSV (.csv)
 * text=FIELD           text field (default "text")
 * label=F1,F2          label field(s); a row is positive when any field's value is in positive=..., negative when
 *                      every field is present and none is positive (other rows, e.g. unknown labels, are skipped)
 * constant=pos|neg     instead of label: every row is positive (or negative)
 * positive=V1,V2       positive label values (default "1,true,unsafe,jailbreak,injection")
 * negative=V1,V2       if set, only rows with these values count as negatives (others skipped)
 * category=FIELD       report recall per value of this field among positives, FPR per value among negatives
 * classifier=NAME      embedded-prompt-attack | embedded-hazard (see {@link #CLASSIFIERS}; add Prompt Guard / Llama
 *                      Guard there by name)
 * as=user|tool|response where the text is placed (default user)
 * score=LABEL          verdict label to read (default: jailbreak for user/attack, injection for tool, unsafe for
 *                      hazard); "max" = highest label
 * threshold=0.5        detection threshold on that score
 * limit=N              evaluate at most N rows
 * </pre>
 */
public final class Evaluate {

    /** Classifier factories by name. Add Prompt Guard / Llama Guard here when their classes exist. */
    static final Map<String, Function<EmbeddedClassifiers, Classifier>> CLASSIFIERS = Map.of(
            "embedded-prompt-attack", EmbeddedClassifiers::promptAttack,
            "embedded-hazard", EmbeddedClassifiers::hazard);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The shipped embedded classifiers, or (for a candidate before it is committed) heads from {@code heads=DIR}
     * on an encoder with the fine-tuned tensors of {@code encoderDelta=FILE}, or on the encoder graph file
     * {@code encoderModel=FILE} (e.g. the fused int8 graph of guard/tools/fuse-encoder.sh).
     */
    private static EmbeddedClassifiers embedded(Map<String, String> o) throws java.io.IOException {
        if (!o.containsKey("heads") && !o.containsKey("encoderDelta") && !o.containsKey("encoderModel")) {
            return EmbeddedClassifiers.loadDefault();
        }
        dev.warden.guard.embedded.SharedEncoder shared = new dev.warden.guard.embedded.SharedEncoder(
                dev.warden.guard.embedded.SentenceEncoder.candidate(
                        o.get("encoderModel"),
                        o.get("encoderDelta"),
                        Math.min(2, Runtime.getRuntime().availableProcessors())),
                dev.warden.guard.embedded.EncodingQueue.Settings.defaults(),
                16_384);
        return o.containsKey("heads")
                ? new EmbeddedClassifiers(shared, Path.of(o.get("heads")))
                : new EmbeddedClassifiers(shared);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (String a : args.length == 1 ? args[0].trim().split("\\s+(?=[a-z]+=)") : args) {
            String[] kv = a.split("=", 2);
            o.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        String name = o.getOrDefault("classifier", "embedded-prompt-attack");
        TextScorer.Placement placement =
                TextScorer.Placement.valueOf(o.getOrDefault("as", "user").toUpperCase(Locale.ROOT));
        String scoreLabel = o.getOrDefault(
                "score",
                name.contains("hazard")
                        ? "unsafe"
                        : placement == TextScorer.Placement.TOOL ? "injection" : "jailbreak");
        double threshold = Double.parseDouble(o.getOrDefault("threshold", "0.5"));
        try (EmbeddedClassifiers embedded = embedded(o)) {
            Function<EmbeddedClassifiers, Classifier> factory = CLASSIFIERS.get(name);
            if (factory == null) {
                throw new IllegalArgumentException("unknown classifier " + name + "; known: " + CLASSIFIERS.keySet());
            }
            TextScorer scorer = new TextScorer(factory.apply(embedded), placement, scoreLabel);
            Report report = run(scorer, rows(Path.of(o.get("file"))), o, threshold);
            System.out.println(report.format(
                    o.get("file"),
                    name + " (" + placement.name().toLowerCase(Locale.ROOT) + ", " + scoreLabel + " >= " + threshold
                            + ")"));
        }
    }

    /** One evaluated file: overall metrics and recall per category. */
    public record Report(BinaryMetrics metrics, Map<String, int[]> categories) {
        public String format(String file, String what) {
            StringBuilder sb = new StringBuilder();
            BinaryMetrics m = metrics;
            sb.append(String.format(
                    Locale.ROOT,
                    "%s | %s | pos %d | neg %d | TPR %s | FPR %s | precision %s | F1 %s | AUPRC %s | ROC AUC %s%n",
                    file,
                    what,
                    m.positives(),
                    m.negatives(),
                    pct(m.tpr()),
                    pct(m.fpr()),
                    f3(m.precision()),
                    f3(m.f1()),
                    f3(m.auprc()),
                    f3(m.rocAuc())));
            categories.forEach((c, hits) -> sb.append(String.format(
                    Locale.ROOT, "  %s = %s (%d/%d)%n", c, pct(hits[0] / (double) hits[1]), hits[0], hits[1])));
            return sb.toString();
        }
    }

    static Report run(TextScorer scorer, List<Map<String, String>> rows, Map<String, String> o, double threshold) {
        String textField = o.getOrDefault("text", "text");
        List<String> labelFields =
                o.containsKey("label") ? Arrays.asList(o.get("label").split(",")) : List.of();
        String constant = o.get("constant");
        Set<String> positives = Set.of(
                o.getOrDefault("positive", "1,true,unsafe,jailbreak,injection").split(","));
        Set<String> negatives =
                o.containsKey("negative") ? Set.of(o.get("negative").split(",")) : null;
        String categoryField = o.get("category");
        List<Map<String, String>> selected = rows;
        if (o.containsKey("limit")) {
            selected = rows.stream()
                    .sorted((a, b) -> hash(a.get(textField)).compareTo(hash(b.get(textField))))
                    .limit(Long.parseLong(o.get("limit")))
                    .toList();
        }
        List<BinaryMetrics.Scored> scored = new ArrayList<>();
        Map<String, int[]> categories = new TreeMap<>();
        for (Map<String, String> row : selected) {
            String text = row.get(textField);
            if (text == null || text.isBlank()) {
                continue;
            }
            Boolean positive = label(row, labelFields, constant, positives, negatives);
            if (positive == null) {
                continue;
            }
            double s = scorer.score(text);
            scored.add(new BinaryMetrics.Scored(s, positive));
            if (categoryField != null) {
                // recall per category among positives; false-positive rate per category among negatives
                String key = (positive ? "recall[" : "FPR[") + row.get(categoryField) + "]";
                int[] c = categories.computeIfAbsent(key, k -> new int[2]);
                c[0] += s >= threshold ? 1 : 0;
                c[1]++;
            }
        }
        return new Report(BinaryMetrics.of(scored, threshold), categories);
    }

    static Boolean label(
            Map<String, String> row,
            List<String> fields,
            String constant,
            Set<String> positives,
            Set<String> negatives) {
        if (constant != null) {
            return constant.startsWith("pos");
        }
        boolean allPresent = true;
        for (String f : fields) {
            String v = row.get(f);
            if (v == null || v.isEmpty()) {
                allPresent = false;
            } else if (positives.contains(v)) {
                return true;
            } else if (negatives != null && !negatives.contains(v)) {
                return null;
            }
        }
        return allPresent ? false : null;
    }

    /** Rows of a JSONL or CSV file as field -> string (JSON scalars as text, arrays joined by newlines). */
    public static List<Map<String, String>> rows(Path file) throws IOException {
        String name = file.getFileName().toString();
        InputStream raw = Files.newInputStream(file);
        InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (name.contains(".csv")) {
                return CsvRows.read(reader);
            }
            List<Map<String, String>> out = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (var e : JSON.readTree(line).properties()) {
                    JsonNode v = e.getValue();
                    if (v.isNull()) {
                        continue;
                    }
                    row.put(
                            e.getKey(),
                            v.isArray()
                                    ? v.valueStream().map(JsonNode::asString).collect(Collectors.joining("\n"))
                                    : v.asString());
                }
                out.add(row);
            }
            return out;
        }
    }

    private static String hash(String text) {
        if (text == null) {
            return "";
        }
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private Evaluate() {}
}
