package dev.warden.inference;

/** Token counts, from the model's own tokenizer (in-process) or as the upstream reported them (remote). */
public record Usage(int promptTokens, int completionTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
