package dev.warden.guard.eval;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.util.List;

/**
 * Puts one text where a classifier would meet it and reads one label of the verdict: as a user turn, as tool
 * content (indirect injection), or as the model's response (output check). Any {@link Classifier} plugs in, so
 * Prompt Guard and Llama Guard are evaluated the same way as the embedded heads.
 */
public record TextScorer(Classifier classifier, Placement placement, String label) {

    public enum Placement {
        USER,
        TOOL,
        RESPONSE
    }

    /** The verdict's score for {@link #label}; a failed verdict is an error, not a silent zero. */
    public double score(String text) {
        GuardInput input =
                switch (placement) {
                    case USER -> GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text)));
                    case TOOL -> GuardInput.prompt(List.of(ChatMessage.of(Role.TOOL, text)));
                    case RESPONSE -> GuardInput.response(List.of(ChatMessage.of(Role.USER, "")), text);
                };
        if (!classifier.directions().contains(placement == Placement.RESPONSE ? Direction.OUTPUT : Direction.INPUT)) {
            throw new IllegalArgumentException(classifier.name() + " does not judge " + placement);
        }
        Verdict verdict = classifier.classify(input).block();
        if (verdict == null || !verdict.ok()) {
            throw new IllegalStateException(
                    classifier.name() + " failed: " + (verdict == null ? "no verdict" : verdict.detail()));
        }
        if (label.equals("max")) {
            return verdict.scores().values().stream()
                    .mapToDouble(Double::doubleValue)
                    .max()
                    .orElse(0);
        }
        return verdict.score(label);
    }
}
