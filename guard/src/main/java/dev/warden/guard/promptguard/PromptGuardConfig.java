package dev.warden.guard.promptguard;

import java.nio.file.Path;

/**
 * How a Prompt Guard classifier loads and runs.
 * <ul>
 *   <li>{@code modelDir}: holds {@code model.onnx} (inputs {@code input_ids}, {@code attention_mask}, int64;
 *       output logits [batch, classes]), {@code tokenizer.json} and {@code config.json} (id2label);</li>
 *   <li>{@code version}: goes into the verdict cache key; null means "sha256:" and the first 12 hex digits of
 *       model.onnx's SHA-256, computed at load;</li>
 *   <li>{@code temperature}: T in softmax(logits / T), 1.0 as in Meta's code;</li>
 *   <li>{@code maxLength}: the window in tokens including special tokens (512); {@code windowOverlap}: content
 *       tokens shared by consecutive windows; {@code maxBatchSize}: windows per ONNX run (16, as Meta's);</li>
 *   <li>{@code normalisation}: how text is prepared against the spaced-letters bypass (default: join spaced
 *       letters only);</li>
 *   <li>{@code threads}, {@code queueCapacity}: the dedicated executor; a classify call that finds it full gets
 *       an ERROR verdict at once; {@code intraOpThreads}: ONNX Runtime threads per run;</li>
 *   <li>{@code textCacheEntries}: how many per-text scores to remember (0: none).</li>
 * </ul>
 */
public record PromptGuardConfig(
        String name,
        Path modelDir,
        String version,
        double temperature,
        int maxLength,
        int windowOverlap,
        int maxBatchSize,
        TextNormalisation normalisation,
        int threads,
        int queueCapacity,
        int intraOpThreads,
        long textCacheEntries) {

    public PromptGuardConfig {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive");
        }
        if (maxBatchSize < 1 || threads < 1 || queueCapacity < 0 || intraOpThreads < 1 || textCacheEntries < 0) {
            throw new IllegalArgumentException("batch size, threads and ONNX threads must be at least 1");
        }
        if (normalisation == null) {
            normalisation = TextNormalisation.JOIN_SPACED_LETTERS;
        }
    }

    /** Meta's settings: T = 1, 512-token windows (64 overlapping), batches of 16; spaced letters joined; one
     * scoring thread with 32 queued calls, one ONNX thread; 10,000 remembered text scores. */
    public static PromptGuardConfig of(Path modelDir) {
        return new PromptGuardConfig(
                "prompt-guard",
                modelDir,
                null,
                1.0,
                512,
                64,
                16,
                TextNormalisation.JOIN_SPACED_LETTERS,
                1,
                32,
                1,
                10_000);
    }

    public PromptGuardConfig withTemperature(double t) {
        return new PromptGuardConfig(
                name,
                modelDir,
                version,
                t,
                maxLength,
                windowOverlap,
                maxBatchSize,
                normalisation,
                threads,
                queueCapacity,
                intraOpThreads,
                textCacheEntries);
    }

    public PromptGuardConfig withWindows(int length, int overlap, int batchSize) {
        return new PromptGuardConfig(
                name,
                modelDir,
                version,
                temperature,
                length,
                overlap,
                batchSize,
                normalisation,
                threads,
                queueCapacity,
                intraOpThreads,
                textCacheEntries);
    }

    public PromptGuardConfig withNormalisation(TextNormalisation how) {
        return new PromptGuardConfig(
                name,
                modelDir,
                version,
                temperature,
                maxLength,
                windowOverlap,
                maxBatchSize,
                how,
                threads,
                queueCapacity,
                intraOpThreads,
                textCacheEntries);
    }

    public PromptGuardConfig withTextCache(long entries) {
        return new PromptGuardConfig(
                name,
                modelDir,
                version,
                temperature,
                maxLength,
                windowOverlap,
                maxBatchSize,
                normalisation,
                threads,
                queueCapacity,
                intraOpThreads,
                entries);
    }

    public PromptGuardConfig withExecutor(int scoringThreads, int queue, int onnxThreads) {
        return new PromptGuardConfig(
                name,
                modelDir,
                version,
                temperature,
                maxLength,
                windowOverlap,
                maxBatchSize,
                normalisation,
                scoringThreads,
                queue,
                onnxThreads,
                textCacheEntries);
    }
}
