package dev.warden.guard.promptguard;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A real ONNX sequence classifier made for tests, shaped like an exported Prompt Guard: inputs {@code input_ids}
 * and {@code attention_mask} (int64, [batch, sequence]), output {@code logits} (float, [batch, classes]).
 * <p>
 * The graph: each token looks up a row of logits (Gather), padding is zeroed by the mask, and the maximum over the
 * sequence is the output (ReduceMax). Every ordinary token's row favours BENIGN with logit {@value #BENIGN_LOGIT};
 * a trigger token's row puts a large logit on its class. So a window is classified as the trigger's class exactly
 * when it contains the trigger token, which lets tests check windowing, batching and labels by behaviour.
 * The tokenizer is the BERT WordPiece tokenizer.json shipped in the langchain4j MiniLM jar.
 */
public final class TriggerWordModel {

    static final float BENIGN_LOGIT = 2f;
    static final float TRIGGER_LOGIT = 10f;

    private TriggerWordModel() {}

    /**
     * Writes model.onnx, tokenizer.json and config.json into {@code dir}.
     *
     * @param labels   id2label in class order, e.g. BENIGN, INJECTION, JAILBREAK
     * @param triggers word (a single token of the tokenizer) -> index of the class it triggers
     */
    public static Path write(Path dir, List<String> labels, Map<String, Integer> triggers) throws IOException {
        Files.createDirectories(dir);
        try (InputStream tokenizerJson =
                TriggerWordModel.class.getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
            if (tokenizerJson == null) {
                throw new IOException("the MiniLM tokenizer.json is not on the test classpath");
            }
            Files.copy(tokenizerJson, dir.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int vocab;
        float[] weights;
        int classes = labels.size();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir.resolve("tokenizer.json"))
                .optTruncation(false)
                .optPadding(false)
                .build()) {
            vocab = tools.jackson.databind.json.JsonMapper.builder()
                    .build()
                    .readTree(Files.readString(dir.resolve("tokenizer.json")))
                    .get("model")
                    .get("vocab")
                    .size();
            weights = new float[vocab * classes];
            for (int row = 0; row < vocab; row++) {
                weights[row * classes] = BENIGN_LOGIT;
            }
            for (Map.Entry<String, Integer> trigger : triggers.entrySet()) {
                int id = (int) tokenId(tokenizer, trigger.getKey());
                Arrays.fill(weights, id * classes, (id + 1) * classes, 0f);
                weights[id * classes + trigger.getValue()] = TRIGGER_LOGIT;
            }
        }
        byte[] graph = OnnxGraphWriter.graph(
                "trigger_word_classifier",
                new byte[][] {
                    OnnxGraphWriter.node(
                            "Gather", new String[] {"weights", "input_ids"}, new String[] {"token_logits"}),
                    OnnxGraphWriter.node(
                            "Cast",
                            new String[] {"attention_mask"},
                            new String[] {"mask_f"},
                            OnnxGraphWriter.intAttribute("to", OnnxGraphWriter.FLOAT)),
                    OnnxGraphWriter.node("Unsqueeze", new String[] {"mask_f", "last_axis"}, new String[] {"mask_3d"}),
                    OnnxGraphWriter.node("Mul", new String[] {"token_logits", "mask_3d"}, new String[] {"masked"}),
                    OnnxGraphWriter.node(
                            "ReduceMax",
                            new String[] {"masked"},
                            new String[] {"logits"},
                            OnnxGraphWriter.intsAttribute("axes", 1),
                            OnnxGraphWriter.intAttribute("keepdims", 0)),
                },
                new byte[][] {
                    OnnxGraphWriter.floatTensor("weights", weights, vocab, classes),
                    OnnxGraphWriter.int64Tensor("last_axis", new long[] {2}, 1),
                },
                new byte[][] {
                    OnnxGraphWriter.tensorValue("input_ids", OnnxGraphWriter.INT64, "batch", "sequence"),
                    OnnxGraphWriter.tensorValue("attention_mask", OnnxGraphWriter.INT64, "batch", "sequence"),
                },
                new byte[][] {OnnxGraphWriter.tensorValue("logits", OnnxGraphWriter.FLOAT, "batch", classes)});
        Files.write(dir.resolve("model.onnx"), OnnxGraphWriter.model(graph));
        StringBuilder config = new StringBuilder("{\n  \"model_type\": \"deberta-v2\",\n  \"id2label\": {");
        for (int i = 0; i < classes; i++) {
            config.append(i == 0 ? "" : ",")
                    .append("\n    \"")
                    .append(i)
                    .append("\": \"")
                    .append(labels.get(i))
                    .append('"');
        }
        config.append("\n  }\n}\n");
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    static long tokenId(HuggingFaceTokenizer tokenizer, String word) {
        long[] ids = tokenizer.encode(word, false, false).getIds();
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + word + "' is " + ids.length + " tokens, not one");
        }
        return ids[0];
    }
}
