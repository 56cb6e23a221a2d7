package dev.warden.inference.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny Llama-architecture GGUF with seeded random weights, for tests that need a real llama.cpp model:
 * 2 layers, embedding 64, 4 heads / 2 KV heads, feed-forward 128, all F32 (about 450 KB); context 2048, since
 * tool prompts take many tokens in this small vocabulary.
 *
 * <p>The vocabulary is byte-level BPE as Llama 3 has it (tokenizer.ggml.model gpt2, pre llama-bpe): the 256 GPT-2
 * byte tokens (id = byte value), {@link #MERGES} merged tokens, then the Llama 3 special tokens as control tokens.
 * BOS is {@code <|begin_of_text|>}, EOS {@code <|eot_id|>}; the file carries Llama 3.1's HF chat template.
 *
 * <p>Random weights would emit arbitrary bytes (invalid UTF-8, so no stop string could ever match). The output is
 * biased instead: every embedding row has 1.0 in dimension 0, which dominates the final RMS norm, and the output
 * matrix gives that dimension weight 0 for printable ASCII and merged tokens and -3 for everything else, while
 * {@code <|eot_id|>}'s row is 0.45 in dimension 0 and zero elsewhere. So the model writes printable gibberish, one
 * whole character or merged token per token, and now and then ends its turn (with a fixed seed, reproducibly).
 *
 * <p>The file goes to {@code target/tiny-model/} under the working directory (the module directory in Maven), once
 * per JVM. Not java.io.tmpdir, and its name does not start with "llama": de.kherud:llama deletes such files there.
 */
public final class TinyGguf {

    public static final int EMBEDDING = 64;
    public static final int LAYERS = 2;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int FEED_FORWARD = 128;
    public static final int CONTEXT_LENGTH = 2048;
    public static final String FILE_NAME = "tiny-random-l31.gguf";

    /** Merges in priority order, in GPT-2's byte-to-unicode spelling ("Ġ" is a space). */
    public static final List<String> MERGES = List.of(
            "Ġ t",
            "h e",
            "i n",
            "e r",
            "a n",
            "Ġ a",
            "o n",
            "r e",
            "Ġt he",
            "Ġ s",
            "e n",
            "l l",
            "he ll",
            "hell o",
            // Llama Guard's answers, single tokens as in the real vocabulary (ids differ).
            "s a",
            "sa f",
            "saf e",
            "u n",
            "un safe");

    /** Llama 3 special tokens, in the order of their ids after the byte and merged tokens. */
    public static final List<String> SPECIALS = List.of(
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eom_id|>",
            "<|eot_id|>",
            "<|python_tag|>");

    public static final int BYTE_TOKENS = 256;
    public static final int VOCAB_SIZE = BYTE_TOKENS + MERGES.size() + SPECIALS.size();

    private static final long SEED = 20240723L;
    private static final float EOT_WEIGHT = 0.45f;
    private static final float FAVOURED_WEIGHT = 8.0f;
    private static volatile Path path;
    private static final Map<String, Path> favouring = new java.util.concurrent.ConcurrentHashMap<>();

    private TinyGguf() {}

    /** The id of a special token, e.g. {@code specialId("<|eot_id|>")}. */
    public static int specialId(String token) {
        int i = SPECIALS.indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException("not a special token: " + token);
        }
        return BYTE_TOKENS + MERGES.size() + i;
    }

    /** Writes the model on first use in this JVM and returns its absolute path. */
    public static Path path() {
        Path p = path;
        if (p == null) {
            synchronized (TinyGguf.class) {
                p = path;
                if (p == null) {
                    p = write(Path.of("target", "tiny-model").toAbsolutePath());
                    path = p;
                }
            }
        }
        return p;
    }

    /**
     * A variant whose next token is {@code word} with probability close to 1 at every step (after a short
     * prompt), e.g. {@code "unsafe"} or {@code "safe"} to give a Llama Guard classifier a clear first-token score.
     * Greedy generation repeats the word until max_tokens. {@code word} must be one token: a merged token or a
     * printable character. Written once per JVM and word, next to {@link #path()}.
     */
    public static Path pathFavouring(String word) {
        int token = tokenId(word);
        return favouring.computeIfAbsent(
                word,
                w -> write(
                        Path.of("target", "tiny-model").toAbsolutePath(),
                        "tiny-random-l31-favouring-" + token + ".gguf",
                        bytes(token)));
    }

    /** The id of a token by its text: a special token, a merged token such as "safe", or one ASCII character. */
    public static int tokenId(String text) {
        if (SPECIALS.contains(text)) {
            return specialId(text);
        }
        int merged = MERGES.stream()
                .map(m -> m.replace(" ", "").replace('Ġ', ' '))
                .toList()
                .indexOf(text);
        if (merged >= 0) {
            return BYTE_TOKENS + merged;
        }
        if (text.length() == 1 && text.charAt(0) >= 0x20 && text.charAt(0) < 0x7f) {
            return text.charAt(0);
        }
        throw new IllegalArgumentException("'" + text + "' is not one token of the tiny vocabulary");
    }

    /** Writes the model into {@code directory} (atomically replacing an older copy) and returns the file. */
    public static Path write(Path directory) {
        return write(directory, FILE_NAME, bytes());
    }

    private static Path write(Path directory, String fileName, byte[] content) {
        try {
            Files.createDirectories(directory);
            Path target = directory.resolve(fileName);
            // Another forked JVM may be loading the same file: write aside, then rename over it.
            Path partial = Files.createTempFile(directory, "tiny-", ".part");
            Files.write(partial, content);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tiny GGUF into " + directory, e);
        }
    }

    /** The whole file; deterministic. */
    public static byte[] bytes() {
        return bytes(-1);
    }

    private static byte[] bytes(int favouredToken) {
        String[] tokens = tokens();
        int[] types = new int[VOCAB_SIZE];
        Arrays.fill(types, 1);
        for (String s : SPECIALS) {
            types[specialId(s)] = 3;
        }
        GgufWriter w = new GgufWriter()
                .put("general.architecture", "llama")
                .put("general.name", "tiny random Llama 3.1 (test fixture)")
                .put("llama.context_length", new GgufWriter.UInt32(CONTEXT_LENGTH))
                .put("llama.embedding_length", new GgufWriter.UInt32(EMBEDDING))
                .put("llama.block_count", new GgufWriter.UInt32(LAYERS))
                .put("llama.feed_forward_length", new GgufWriter.UInt32(FEED_FORWARD))
                .put("llama.attention.head_count", new GgufWriter.UInt32(HEADS))
                .put("llama.attention.head_count_kv", new GgufWriter.UInt32(KV_HEADS))
                .put("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .put("llama.rope.freq_base", 500000f)
                .put("llama.vocab_size", new GgufWriter.UInt32(VOCAB_SIZE))
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "llama-bpe")
                .put("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.token_type", types)
                .put("tokenizer.ggml.merges", MERGES.toArray(String[]::new))
                .put("tokenizer.ggml.bos_token_id", new GgufWriter.UInt32(specialId("<|begin_of_text|>")))
                .put("tokenizer.ggml.eos_token_id", new GgufWriter.UInt32(specialId("<|eot_id|>")))
                .put("tokenizer.ggml.add_bos_token", true)
                .put("tokenizer.chat_template", Llama31Template.JINJA);

        Random random = new Random(SEED);
        int kvDim = EMBEDDING / HEADS * KV_HEADS;
        float[] embeddings = gaussian(random, EMBEDDING * VOCAB_SIZE, 0.1f);
        for (int t = 0; t < VOCAB_SIZE; t++) {
            embeddings[t * EMBEDDING] = 1.0f;
        }
        w.tensor("token_embd.weight", embeddings, EMBEDDING, VOCAB_SIZE);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            w.tensor(b + "attn_norm.weight", ones(EMBEDDING), EMBEDDING);
            w.tensor(b + "attn_q.weight", gaussian(random, EMBEDDING * EMBEDDING, 0.05f), EMBEDDING, EMBEDDING);
            w.tensor(b + "attn_k.weight", gaussian(random, EMBEDDING * kvDim, 0.05f), EMBEDDING, kvDim);
            w.tensor(b + "attn_v.weight", gaussian(random, EMBEDDING * kvDim, 0.05f), EMBEDDING, kvDim);
            w.tensor(b + "attn_output.weight", gaussian(random, EMBEDDING * EMBEDDING, 0.05f), EMBEDDING, EMBEDDING);
            w.tensor(b + "ffn_norm.weight", ones(EMBEDDING), EMBEDDING);
            w.tensor(b + "ffn_gate.weight", gaussian(random, EMBEDDING * FEED_FORWARD, 0.05f), EMBEDDING, FEED_FORWARD);
            w.tensor(b + "ffn_up.weight", gaussian(random, EMBEDDING * FEED_FORWARD, 0.05f), EMBEDDING, FEED_FORWARD);
            w.tensor(b + "ffn_down.weight", gaussian(random, FEED_FORWARD * EMBEDDING, 0.05f), FEED_FORWARD, EMBEDDING);
        }
        w.tensor("output_norm.weight", ones(EMBEDDING), EMBEDDING);
        float[] output = gaussian(random, EMBEDDING * VOCAB_SIZE, 0.5f);
        for (int t = 0; t < VOCAB_SIZE; t++) {
            output[t * EMBEDDING] = outputBias(t);
        }
        // <|eot_id|>'s logit follows dimension 0 only, so that turns end at a steady, modest rate.
        int eot = specialId("<|eot_id|>");
        Arrays.fill(output, eot * EMBEDDING + 1, (eot + 1) * EMBEDDING, 0f);
        if (favouredToken >= 0) {
            output[favouredToken * EMBEDDING] = FAVOURED_WEIGHT;
            Arrays.fill(output, favouredToken * EMBEDDING + 1, (favouredToken + 1) * EMBEDDING, 0f);
        }
        w.tensor("output.weight", output, EMBEDDING, VOCAB_SIZE);
        return w.toBytes();
    }

    private static float outputBias(int token) {
        if (token == specialId("<|eot_id|>")) {
            return EOT_WEIGHT;
        }
        boolean printable = token >= 0x20 && token < 0x7f;
        boolean merged = token >= BYTE_TOKENS && token < BYTE_TOKENS + MERGES.size();
        return printable || merged ? 0f : -3f;
    }

    /** Token strings: GPT-2 byte tokens, merge results, specials. */
    static String[] tokens() {
        String[] byteChars = gpt2ByteChars();
        List<String> tokens = new ArrayList<>(Arrays.asList(byteChars));
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (String merge : MERGES) {
            String merged = merge.replace(" ", "");
            if (seen.put(merged, true) != null) {
                throw new IllegalStateException("duplicate merge " + merge);
            }
            tokens.add(merged);
        }
        tokens.addAll(SPECIALS);
        return tokens.toArray(String[]::new);
    }

    /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards. */
    static String[] gpt2ByteChars() {
        String[] chars = new String[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean direct = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            chars[b] = direct ? String.valueOf((char) b) : String.valueOf((char) (256 + next++));
        }
        return chars;
    }

    private static float[] gaussian(Random random, int n, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * std);
        }
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }
}
