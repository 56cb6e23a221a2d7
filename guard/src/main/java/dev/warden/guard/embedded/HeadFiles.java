package dev.warden.guard.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The content of one head file. */
    public record Model(String version, Map<String, DenseHead> heads, Map<String, Double> thresholds) {
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

    private HeadFiles() {
    }

    public static Model readResource(String resource) {
        try (InputStream in = HeadFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("head resource missing: " + resource);
            }
            return read(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Model read(JsonNode root) {
        Map<String, DenseHead> heads = new LinkedHashMap<>();
        for (var entry : root.get("heads").properties()) {
            JsonNode h = entry.getValue();
            List<String> labels = new ArrayList<>();
            h.get("labels").forEach(n -> labels.add(n.asString()));
            List<DenseHead.Layer> layers = new ArrayList<>();
            for (JsonNode l : h.get("layers")) {
                layers.add(new DenseHead.Layer(l.get("in").asInt(), l.get("out").asInt(),
                        floats(l.get("weights")), floats(l.get("bias"))));
            }
            heads.put(entry.getKey(), new DenseHead(labels, DenseHead.Output.valueOf(h.get("output").asString()), layers));
        }
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (var entry : root.get("thresholds").properties()) {
            thresholds.put(entry.getKey(), entry.getValue().asDouble());
        }
        return new Model(root.get("version").asString(), heads, thresholds);
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

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
