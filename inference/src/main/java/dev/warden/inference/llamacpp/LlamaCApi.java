package dev.warden.inference.llamacpp;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The part of llama.cpp's C API (build b4916, as bundled in de.kherud:llama 4.2.0's libjllama.so) that the binding
 * does not expose: tokenising without special tokens and reading logits. Called through JNA on the very library
 * the binding loaded, so both share one copy of llama.cpp.
 *
 * <p>Parameter structs are passed as opaque byte blocks obtained from llama.cpp's own {@code *_default_params()}:
 * they are larger than 16 bytes, so the x86-64 and AArch64 ABIs pass and return them in memory, and only the
 * leading fields this class writes need fixed offsets (those of {@code llama.h} at b4916, stable for long).
 */
interface LlamaCApi extends Library {

    /** Opaque by-value struct large enough for llama_model_params / llama_context_params at b4916. */
    class Params extends Structure implements Structure.ByValue {
        public byte[] bytes = new byte[256];

        @Override
        protected List<String> getFieldOrder() {
            return List.of("bytes");
        }
    }

    /** {@code llama_batch}: int32 n_tokens, then six pointers (token, embd, pos, n_seq_id, seq_id, logits). */
    class Batch extends Structure implements Structure.ByValue {
        public int nTokens;
        public Pointer token;
        public Pointer embd;
        public Pointer pos;
        public Pointer nSeqId;
        public Pointer seqId;
        public Pointer logits;

        @Override
        protected List<String> getFieldOrder() {
            return List.of("nTokens", "token", "embd", "pos", "nSeqId", "seqId", "logits");
        }
    }

    void llama_backend_init();

    Params llama_model_default_params();

    Params llama_context_default_params();

    Pointer llama_model_load_from_file(String path, Params params);

    void llama_model_free(Pointer model);

    Pointer llama_init_from_model(Pointer model, Params params);

    void llama_free(Pointer ctx);

    Pointer llama_model_get_vocab(Pointer model);

    int llama_vocab_n_tokens(Pointer vocab);

    /** C bool: read as a byte, since only the low byte of the return register is defined. */
    byte llama_vocab_is_eog(Pointer vocab, int token);

    int llama_tokenize(
            Pointer vocab,
            byte[] text,
            int textLen,
            int[] tokens,
            int maxTokens,
            boolean addSpecial,
            boolean parseSpecial);

    int llama_token_to_piece(Pointer vocab, int token, byte[] buf, int length, int lstrip, boolean special);

    Batch llama_batch_get_one(Pointer tokens, int nTokens);

    int llama_decode(Pointer ctx, Batch batch);

    Pointer llama_get_logits_ith(Pointer ctx, int i);

    void llama_kv_self_clear(Pointer ctx);

    int llama_n_ctx(Pointer ctx);

    /** Binds to the libjllama.so the binding loaded (loading it through the binding first if needed). */
    static LlamaCApi load() {
        NativeLibrary.prepare();
        try {
            Class.forName("de.kherud.llama.LlamaModel", true, LlamaCApi.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("de.kherud:llama is not on the class path", e);
        }
        Path library = loadedLibrary()
                .orElseThrow(() -> new IllegalStateException("cannot find the loaded libjllama in /proc/self/maps"));
        return Native.load(library.toString(), LlamaCApi.class);
    }

    /** The path of the loaded libjllama, from the process's memory map (the binding deletes it on exit only). */
    private static Optional<Path> loadedLibrary() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libjllama.so") || p.endsWith("/libjllama.dylib"))
                    .map(Path::of)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
