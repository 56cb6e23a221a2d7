package dev.warden.inference;

import java.util.List;

/**
 * OpenAI sampling parameters. Null means "not sent by the client": the engine's default applies.
 * {@code n} is at least 1; {@code topLogprobs} only matters when {@code logprobs} is true.
 */
public record SamplingParams(
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        int n,
        boolean logprobs,
        Integer topLogprobs) {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1");
        }
    }

    public static SamplingParams defaults() {
        return new SamplingParams(null, null, null, List.of(), null, 1, false, null);
    }

    public SamplingParams withMaxTokens(Integer maxTokens) {
        return new SamplingParams(temperature, topP, maxTokens, stop, seed, n, logprobs, topLogprobs);
    }
}
