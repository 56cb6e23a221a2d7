package dev.warden.guard.embedded;

import dev.warden.guard.OperatingPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the committed head files (JSON): a version string, named {@link DenseHead}s and named
 * thresholds. Floats are written with 6 significant digits, which keeps each file well under 1 MB.
 */
public final class HeadFiles {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * The content of one head file; {@code operatingPoints} come from its metadata (empty when it has none), and so
     * does {@code encoderId}, the {@link SentenceEncoder#id()} of the encoder the heads were trained on (null when the
     * file does not say).
     */
    public record Model(
            String version,
            Map<String, DenseHead> heads,
            Map<String, Double> thresholds,
            Map<String, OperatingPoint> operatingPoints,
            String encoderId) {
        public Model(String version, Map<String, DenseHead> heads, Map<String, Double> thresholds) {
            this(version, heads, thresholds, Map.of(), null);
        }

        public DenseHead head(String name) {
            DenseHead head = heads.get(name);
            if (head == null) {
                throw new IllegalStateException("head file has no head " + name);
            }
            return head;
        }

        public double threshold(String name) {
            Double t = thresholds.get(name);
            if (t == null) {
                throw new IllegalStateException("head file has no threshold " + name);
            }
            return t;
        }
    }

    private HeadFiles() {}

    /**
     * Reads a head file shipped on the classpath. Any problem (missing, not JSON, missing fields, wrong shapes,
     * non-finite weights) is an {@link IllegalStateException} naming the resource: a guard with broken weights must
     * stop the start-up, never run with a silent fallback.
     */
    public static Model readResource(String resource) {
        try (InputStream in = HeadFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw unusable(resource, "not found on the classpath", null);
            }
            return parse(in, resource);
        } catch (IOException e) {
            throw unusable(resource, "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a head file from disk (for heads trained outside the shipped jar); errors as {@link #readResource}. */
    public static Model readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw unusable(file.toString(), "does not exist or is not a file", null);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw unusable(file.toString(), "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A classifier built on a head file's model for the encoder it will read. A file that reads well but was trained
     * on another encoder (its embeddings mean something else: the scores would be wrong without any error), or lacks
     * the classifier's heads or thresholds, is unusable too, and the error names it.
     */
    static <C> C build(Model model, String name, SharedEncoder encoder, Function<Model, C> classifier) {
        requireEncoder(model, name, encoder.encoder().id());
        try {
            return classifier.apply(model);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw unusable(name, "does not fit this classifier (" + e.getMessage() + ")", e);
        }
    }

    /** Refuses heads trained on an encoder other than {@code encoderId}, naming the file and both encoders. */
    static void requireEncoder(Model model, String name, String encoderId) {
        if (model.encoderId() == null) {
            throw unusable(name, "does not record the encoder its heads were trained on (metadata.encoderId)", null);
        }
        if (!model.encoderId().equals(encoderId)) {
            throw unusable(
                    name,
                    "was trained on encoder " + model.encoderId() + ", but the loaded encoder is " + encoderId
                            + ": retrain the heads for this encoder (guard/TRAINING.md) or load the encoder they were"
                            + " trained on",
                    null);
        }
    }

    /** The error for a head file that cannot be used; the message names the file. */
    public static IllegalStateException unusable(String name, String reason, Throwable cause) {
        return new IllegalStateException("embedded classifier head file " + name + " " + reason, cause);
    }

    private static Model parse(InputStream in, String name) {
        try {
            return read(JSON.readTree(in));
        } catch (RuntimeException e) {
            throw unusable(
                    name,
                    "is not a valid head file (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null
                                    ? ""
                                    : ": " + e.getMessage().lines().findFirst().orElse("")) + ")",
                    e);
        }
    }

    static Model read(JsonNode root) {
        if (root == null
                || !root.isObject()
                || !root.path("version").isString()
                || !root.path("heads").isObject()
                || root.path("heads").isEmpty()
                || !root.path("thresholds").isObject()) {
            throw new IllegalArgumentException("expected an object with version, heads and thresholds");
        }
        Map<String, DenseHead> heads = new LinkedHashMap<>();
        for (var entry : root.get("heads").properties()) {
            JsonNode h = entry.getValue();
            List<String> labels = new ArrayList<>();
            h.get("labels").forEach(n -> labels.add(n.asString()));
            List<DenseHead.Layer> layers = new ArrayList<>();
            int expectedIn = SentenceEncoder.DIMENSION;
            for (JsonNode l : h.get("layers")) {
                DenseHead.Layer layer = new DenseHead.Layer(
                        l.get("in").asInt(), l.get("out").asInt(), floats(l.get("weights")), floats(l.get("bias")));
                if (layer.in() != expectedIn) {
                    throw new IllegalArgumentException("head " + entry.getKey() + ": a layer takes " + layer.in()
                            + " inputs, expected " + expectedIn);
                }
                expectedIn = layer.out();
                layers.add(layer);
            }
            heads.put(
                    entry.getKey(),
                    new DenseHead(
                            labels, DenseHead.Output.valueOf(h.get("output").asString()), layers));
        }
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (var entry : root.get("thresholds").properties()) {
            double t = entry.getValue().asDouble();
            if (!(t > 0 && t < 1)) {
                throw new IllegalArgumentException("threshold " + entry.getKey() + " must be inside (0, 1)");
            }
            thresholds.put(entry.getKey(), t);
        }
        Map<String, OperatingPoint> points = new LinkedHashMap<>();
        for (var entry : root.path("metadata").path("operatingPoints").properties()) {
            JsonNode p = entry.getValue();
            points.put(
                    entry.getKey(),
                    new OperatingPoint(
                            p.path("score").asDouble(0.5),
                            rate(p.path("validationFalsePositiveRate")),
                            rate(p.path("validationRecall")),
                            p.path("negatives").asString("")));
        }
        JsonNode encoderId = root.path("metadata").path("encoderId");
        return new Model(
                root.get("version").asString(),
                heads,
                thresholds,
                points,
                encoderId.isString() ? encoderId.asString() : null);
    }

    public static void write(Path file, Model model, Map<String, Object> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", model.version());
        ObjectNode meta = root.putObject("metadata");
        metadata.forEach((k, v) -> meta.set(k, JSON.valueToTree(v)));
        ObjectNode thresholds = root.putObject("thresholds");
        model.thresholds().forEach(thresholds::put);
        ObjectNode heads = root.putObject("heads");
        model.heads().forEach((name, head) -> {
            ObjectNode h = heads.putObject(name);
            h.put("output", head.output().name());
            ArrayNode labels = h.putArray("labels");
            head.labels().forEach(labels::add);
            ArrayNode layers = h.putArray("layers");
            for (DenseHead.Layer layer : head.layers()) {
                ObjectNode l = layers.addObject();
                l.put("in", layer.in());
                l.put("out", layer.out());
                ArrayNode w = l.putArray("weights");
                for (float f : layer.weights()) {
                    w.add(round(f));
                }
                ArrayNode b = l.putArray("bias");
                for (float f : layer.bias()) {
                    b.add(round(f));
                }
            }
        });
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writeValueAsString(root));
    }

    private static float round(float f) {
        return Float.parseFloat(String.format(java.util.Locale.ROOT, "%.6g", f));
    }

    /** A rate in [0, 1]; NaN when unknown (null, or negative as older head files wrote it: no validation rows). */
    private static double rate(JsonNode n) {
        return n.isNumber() && n.asDouble() >= 0 ? n.asDouble() : Double.NaN;
    }

    private static float[] floats(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("weights and biases must be arrays of numbers");
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber() || !Float.isFinite((float) n.asDouble())) {
                throw new IllegalArgumentException("weights and biases must be finite numbers");
            }
            out[i] = (float) n.asDouble();
        }
        return out;
    }
}
