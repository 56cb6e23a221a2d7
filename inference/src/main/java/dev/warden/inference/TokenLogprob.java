package dev.warden.inference;

import java.util.List;

/** One generated token with its log probability and the most likely alternatives, in OpenAI's logprobs shape. */
public record TokenLogprob(String token, double logprob, List<Alternative> top) {

    public record Alternative(String token, double logprob) {}
}
