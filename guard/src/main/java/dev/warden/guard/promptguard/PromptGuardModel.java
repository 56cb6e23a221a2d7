package dev.warden.guard.promptguard;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Prompt Guard sequence classifier exported to ONNX, with its Hugging Face tokenizer. Blocking and CPU-bound:
 * call it from a dedicated executor. Thread-safe (ONNX Runtime sessions and the tokenizer allow concurrent use).
 * <p>
 * {@link #score} tokenizes each text whole, cuts it into {@link TokenWindows}, runs the windows of all texts
 * together in batches of at most {@code maxBatchSize} (padded to the longest window in the batch) and returns the
 * class probabilities {@code softmax(logits / T)} of every window.
 */
final class PromptGuardModel implements AutoCloseable {

    /** Class probabilities of each window of each text, and how much work it took. */
    record Scoring(List<List<double[]>> windowProbabilities, int windows, int batches, int tokens) {}

    private static final Set<String> KNOWN_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final LlamaFirewallNormaliser llamaFirewall;
    private final TokenWindows windows;
    private final PromptGuardLabels labels;
    private final double temperature;
    private final int maxBatchSize;
    private final long padId;
    private final String digest;

    PromptGuardModel(PromptGuardConfig config) throws IOException, OrtException {
        Path dir = config.modelDir();
        this.labels = PromptGuardLabels.read(dir.resolve("config.json"));
        this.temperature = config.temperature();
        this.maxBatchSize = config.maxBatchSize();
        this.digest = sha256(dir.resolve("model.onnx"));
        this.tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir.resolve("tokenizer.json"))
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
        this.llamaFirewall = new LlamaFirewallNormaliser(tokenizer);
        Encoding specials = tokenizer.encode("a", true, false);
        this.windows = specialsAround(specials, config.maxLength(), config.windowOverlap());
        this.padId = padId(dir);
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(config.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = environment.createSession(dir.resolve("model.onnx").toString(), options);
        }
        for (String input : session.getInputNames()) {
            if (!KNOWN_INPUTS.contains(input)) {
                session.close();
                throw new IOException("unexpected model input '" + input + "'; expected " + KNOWN_INPUTS);
            }
        }
    }

    PromptGuardLabels labels() {
        return labels;
    }

    /** First 12 hex digits of the SHA-256 of model.onnx. */
    String digest() {
        return digest;
    }

    String normalise(String text, TextNormalisation how) {
        return switch (how) {
            case NONE -> text;
            case JOIN_SPACED_LETTERS -> SpacedLetters.join(text);
            case LLAMA_FIREWALL -> llamaFirewall.normalise(text);
        };
    }

    Scoring score(List<String> texts) throws OrtException {
        List<long[]> all = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        int tokens = 0;
        for (int t = 0; t < texts.size(); t++) {
            long[] ids = tokenizer.encode(texts.get(t), false, false).getIds();
            tokens += ids.length;
            for (long[] window : windows.split(ids)) {
                all.add(window);
                owner.add(t);
            }
        }
        List<List<double[]>> result = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            result.add(new ArrayList<>());
        }
        int batches = 0;
        for (int from = 0; from < all.size(); from += maxBatchSize) {
            List<long[]> batch = all.subList(from, Math.min(from + maxBatchSize, all.size()));
            double[][] probabilities = run(batch);
            for (int i = 0; i < batch.size(); i++) {
                result.get(owner.get(from + i)).add(probabilities[i]);
            }
            batches++;
        }
        return new Scoring(result, all.size(), batches, tokens);
    }

    private double[][] run(List<long[]> batch) throws OrtException {
        int rows = batch.size();
        int width = batch.stream().mapToInt(w -> w.length).max().orElse(0);
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        java.util.Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            long[] window = batch.get(r);
            System.arraycopy(window, 0, ids, r * width, window.length);
            java.util.Arrays.fill(mask, r * width, r * width + window.length, 1L);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            if (session.getInputNames().contains("attention_mask")) {
                inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            }
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put(
                        "token_type_ids",
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * width]), shape));
            }
            try (OrtSession.Result output = session.run(inputs)) {
                // optimum names the output "logits"; a hand export may not
                float[][] logits =
                        (float[][]) output.get("logits").orElse(output.get(0)).getValue();
                double[][] probabilities = new double[rows][];
                for (int r = 0; r < rows; r++) {
                    if (logits[r].length != labels.labels().size()) {
                        throw new IllegalStateException(
                                "the model returns " + logits[r].length + " logits but config.json names "
                                        + labels.labels().size() + " labels");
                    }
                    probabilities[r] = softmax(logits[r], temperature);
                }
                return probabilities;
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The special ids the post-processor puts before and after one token of content. */
    private static TokenWindows specialsAround(Encoding specials, int maxLength, int overlap) {
        long[] ids = specials.getIds();
        long[] special = specials.getSpecialTokenMask();
        int firstContent = 0;
        while (firstContent < ids.length && special[firstContent] == 1) {
            firstContent++;
        }
        int afterContent = firstContent;
        while (afterContent < ids.length && special[afterContent] == 0) {
            afterContent++;
        }
        return new TokenWindows(
                java.util.Arrays.copyOfRange(ids, 0, firstContent),
                java.util.Arrays.copyOfRange(ids, afterContent, ids.length),
                maxLength,
                overlap);
    }

    /** The padding id from tokenizer.json; 0 (BERT's and DeBERTa's [PAD]) if it names none. */
    private static long padId(Path dir) throws IOException {
        tools.jackson.databind.JsonNode padding = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(Files.readString(dir.resolve("tokenizer.json")))
                .get("padding");
        return padding != null && padding.has("pad_id") ? padding.get("pad_id").asLong() : 0L;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing a session only frees native memory; nothing to recover
        } finally {
            tokenizer.close();
        }
    }
}
