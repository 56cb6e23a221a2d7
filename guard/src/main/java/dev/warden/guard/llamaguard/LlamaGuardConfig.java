package dev.warden.guard.llamaguard;

/**
 * How one Llama Guard classifier runs. {@code model} is the served model name the engine knows (e.g.
 * {@code llama-guard-3-8b}); {@code modelVersion} identifies the weights (e.g. a file hash or release tag) and goes
 * into the verdict cache key together with the category fingerprint. {@code maxTokens} 20 covers the 8B's leading
 * {@code \n\n}, {@code unsafe}, a code list and {@code <|eot_id|>} (spec 1.7); {@code topLogprobs} alternatives
 * per token let the first-token probability be read even when the greedy token is {@code safe}.
 */
public record LlamaGuardConfig(
        String name,
        String model,
        String modelVersion,
        LlamaGuardCategories categories,
        int maxTokens,
        int topLogprobs) {

    public LlamaGuardConfig {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must leave room for 'unsafe' and its codes");
        }
        if (topLogprobs < 0) {
            throw new IllegalArgumentException("topLogprobs must not be negative");
        }
    }

    public static LlamaGuardConfig of(String model, String modelVersion, LlamaGuardCategories categories) {
        return new LlamaGuardConfig("llama-guard", model, modelVersion, categories, 20, 10);
    }
}
