package dev.warden.inference.llamacpp;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run one GGUF model in process.
 *
 * @param modelPath        the GGUF file
 * @param parallelSlots    generations that run at once (llama.cpp slots, and threads of the engine's executor)
 * @param queueCapacity    requests that may wait for a slot; beyond that requests fail at once with OVERLOADED
 * @param contextLength    tokens of context per slot (prompt plus completion); 0 means the model's trained length
 *                         (131072 for Llama 3.1: set it, the KV cache grows with it and with the slots)
 * @param threads          CPU threads llama.cpp uses; 0 lets llama.cpp choose
 * @param defaultMaxTokens completion tokens when the request sets no max_tokens (always capped by the context)
 */
public record LlamaCppSettings(
        Path modelPath, int parallelSlots, int queueCapacity, int contextLength, int threads, int defaultMaxTokens) {

    public LlamaCppSettings {
        Objects.requireNonNull(modelPath, "modelPath");
        if (parallelSlots < 1) {
            throw new IllegalArgumentException("parallelSlots must be at least 1");
        }
        if (queueCapacity < 0 || contextLength < 0 || threads < 0) {
            throw new IllegalArgumentException("queueCapacity, contextLength and threads must not be negative");
        }
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("defaultMaxTokens must be at least 1");
        }
    }

    /** One slot, a queue of 8, the model's context, llama.cpp's thread count, 512 tokens by default. */
    public static LlamaCppSettings of(Path modelPath) {
        return new LlamaCppSettings(modelPath, 1, 8, 0, 0, 512);
    }
}
