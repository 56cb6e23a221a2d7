package dev.warden.inference.llamacpp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.warden.inference.chat.SegmentedPrompt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The model's exact probability distribution over the next token after a prompt: one forward pass and a softmax
 * over the logits of the last position. This is how Llama Guard's score is defined (p of {@code unsafe} as the
 * first generated token), and it needs logits, which de.kherud:llama does not expose, so this class calls
 * llama.cpp's C API through JNA on the binding's own library ({@link LlamaCApi}).
 *
 * <p>It loads the GGUF a second time (memory-mapped, so the weights' pages are shared with an engine on the same
 * file) with one context of {@code contextLength} tokens. Calls are blocking native work and serialised: run them
 * on a bounded executor, never on an event loop. Text segments are tokenised without parsing special tokens,
 * control segments as their one special token, as Meta's reference tokenizer does.
 */
public final class NextTokenProbabilities implements AutoCloseable {

    private static final Pattern WHOLE_SPECIAL = Pattern.compile("<\\|[^|<>\\s]{1,64}\\|>");

    /** A next-token distribution; {@code probabilities[id]} for every token of the vocabulary. */
    public record Distribution(float[] probabilities, int promptTokens) {

        public double probability(int token) {
            return probabilities[token];
        }

        public double logprob(int token) {
            return Math.log(probabilities[token]);
        }

        /** The {@code k} most likely token ids, most likely first (a bounded heap: vocabularies are 128k). */
        public int[] top(int k) {
            int n = Math.min(k, probabilities.length);
            java.util.PriorityQueue<Integer> heap =
                    new java.util.PriorityQueue<>(n + 1, (a, b) -> Float.compare(probabilities[a], probabilities[b]));
            for (int i = 0; i < probabilities.length; i++) {
                if (heap.size() < n) {
                    heap.add(i);
                } else if (n > 0 && probabilities[i] > probabilities[heap.peek()]) {
                    heap.poll();
                    heap.add(i);
                }
            }
            int[] out = new int[heap.size()];
            for (int i = out.length - 1; i >= 0; i--) {
                out[i] = heap.poll();
            }
            return out;
        }
    }

    private final LlamaCApi api;
    private final Pointer model;
    private final Pointer context;
    private final Pointer vocab;
    private final int vocabSize;
    private final int contextLength;
    private final Map<String, Integer> specialIds = new ConcurrentHashMap<>();
    private boolean closed;

    /**
     * @param contextLength longest prompt in tokens; 0 means the model's trained length
     * @param threads       CPU threads; 0 means llama.cpp's default
     */
    public NextTokenProbabilities(Path gguf, int contextLength, int threads) {
        this.api = LlamaCApi.load();
        api.llama_backend_init();
        this.model = api.llama_model_load_from_file(gguf.toAbsolutePath().toString(), api.llama_model_default_params());
        if (model == null) {
            throw new IllegalArgumentException("llama.cpp cannot load " + gguf + " (see its log on stderr)");
        }
        int ctx = contextLength;
        if (ctx == 0) {
            try {
                ctx = GgufMetadata.read(gguf).contextLength();
            } catch (java.io.IOException e) {
                ctx = 4096;
            }
        }
        LlamaCApi.Params params = api.llama_context_default_params();
        ByteBuffer b = ByteBuffer.wrap(params.bytes).order(ByteOrder.nativeOrder());
        // llama_context_params starts: n_ctx, n_batch, n_ubatch, n_seq_max, n_threads, n_threads_batch.
        b.putInt(0, ctx).putInt(4, ctx).putInt(8, ctx);
        if (threads > 0) {
            b.putInt(16, threads).putInt(20, threads);
        }
        this.context = api.llama_init_from_model(model, params);
        if (context == null) {
            api.llama_model_free(model);
            throw new IllegalStateException("llama.cpp cannot create a context of " + ctx + " tokens");
        }
        this.contextLength = api.llama_n_ctx(context);
        this.vocab = api.llama_model_get_vocab(model);
        this.vocabSize = api.llama_vocab_n_tokens(vocab);
    }

    public int contextLength() {
        return contextLength;
    }

    public int vocabularySize() {
        return vocabSize;
    }

    /** The distribution after {@code prompt}; client text in it is never read as special tokens. */
    public synchronized Distribution next(SegmentedPrompt prompt) {
        return next(tokenize(prompt));
    }

    /** The distribution after the given token ids. */
    public synchronized Distribution next(int[] tokens) {
        ensureOpen();
        if (tokens.length == 0 || tokens.length > contextLength) {
            throw new IllegalArgumentException(
                    "the prompt has " + tokens.length + " tokens; the context holds " + contextLength);
        }
        api.llama_kv_self_clear(context);
        Memory ids = new Memory(4L * tokens.length);
        ids.write(0, tokens, 0, tokens.length);
        decode(ids, tokens.length);
        float[] logits = api.llama_get_logits_ith(context, -1).getFloatArray(0, vocabSize);
        return new Distribution(softmax(logits), tokens.length);
    }

    /** Picks the token to append after a distribution, or -1 to stop. */
    interface Chooser {
        int next(Distribution distribution);
    }

    /**
     * Walks a generation: decodes the prompt, then repeatedly asks {@code chooser} for the next token and decodes
     * it, keeping the KV cache, until it returns -1 or the context is full. Holds this object for the whole walk.
     */
    synchronized void generate(int[] prompt, Chooser chooser) {
        ensureOpen();
        if (prompt.length == 0 || prompt.length >= contextLength) {
            throw new IllegalArgumentException(
                    "the prompt has " + prompt.length + " tokens; the context holds " + contextLength);
        }
        api.llama_kv_self_clear(context);
        Memory ids = new Memory(4L * Math.max(prompt.length, 1));
        ids.write(0, prompt, 0, prompt.length);
        decode(ids, prompt.length);
        int position = prompt.length;
        Memory one = new Memory(4);
        while (true) {
            float[] logits = api.llama_get_logits_ith(context, -1).getFloatArray(0, vocabSize);
            int token = chooser.next(new Distribution(softmax(logits), position));
            if (token < 0 || position >= contextLength) {
                return;
            }
            one.setInt(0, token);
            decode(one, 1);
            position++;
        }
    }

    private void decode(Memory ids, int n) {
        int status = api.llama_decode(context, api.llama_batch_get_one(ids, n));
        if (status != 0) {
            throw new IllegalStateException("llama_decode failed with status " + status);
        }
    }

    /** Whether the token ends a generation (EOS, {@code <|eot_id|>}, {@code <|eom_id|>}). */
    public synchronized boolean isEndOfGeneration(int token) {
        ensureOpen();
        return api.llama_vocab_is_eog(vocab, token) != 0;
    }

    /** The bytes of one token; with {@code special} false, control tokens give none (as in generated text). */
    synchronized byte[] pieceBytes(int token, boolean special) {
        ensureOpen();
        byte[] buf = new byte[64];
        int n = api.llama_token_to_piece(vocab, token, buf, buf.length, 0, special);
        if (n < 0) {
            buf = new byte[-n];
            n = api.llama_token_to_piece(vocab, token, buf, buf.length, 0, special);
        }
        return Arrays.copyOf(buf, Math.max(n, 0));
    }

    /** Token ids of a segmented prompt: control segments as their special token, text without specials. */
    public synchronized int[] tokenize(SegmentedPrompt prompt) {
        ensureOpen();
        List<int[]> parts = new ArrayList<>();
        int n = 0;
        for (SegmentedPrompt.Segment s : prompt.segments()) {
            int[] part = s.control() ? new int[] {specialId(s.text())} : tokenize(s.text(), false);
            parts.add(part);
            n += part.length;
        }
        int[] all = new int[n];
        int i = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, i, part.length);
            i += part.length;
        }
        return all;
    }

    /** The id of a special token such as {@code <|eot_id|>}, or of a text that is exactly one token. */
    public int tokenId(String text) {
        int[] ids = tokenize(text, WHOLE_SPECIAL.matcher(text).matches());
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + text + "' is " + ids.length + " tokens, not one");
        }
        return ids[0];
    }

    /** The text of one token (special tokens as their text). */
    public String piece(int token) {
        return new String(pieceBytes(token, true), StandardCharsets.UTF_8);
    }

    private int specialId(String token) {
        return specialIds.computeIfAbsent(token, t -> {
            int[] ids = tokenize(t, true);
            if (ids.length != 1) {
                throw new IllegalArgumentException("the model has no special token " + t);
            }
            return ids[0];
        });
    }

    private synchronized int[] tokenize(String text, boolean parseSpecial) {
        ensureOpen();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[utf8.length + 2];
        int n = api.llama_tokenize(vocab, utf8, utf8.length, out, out.length, false, parseSpecial);
        if (n < 0) {
            out = new int[-n];
            n = api.llama_tokenize(vocab, utf8, utf8.length, out, out.length, false, parseSpecial);
        }
        return Arrays.copyOf(out, n);
    }

    private static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            api.llama_free(context);
            api.llama_model_free(model);
        }
    }
}
