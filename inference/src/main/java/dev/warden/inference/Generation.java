package dev.warden.inference;

import java.util.List;

/** A finished, non-streamed generation. {@code model} is the served name the client asked for. */
public record Generation(String model, List<Choice> choices, Usage usage) {

    public Generation {
        choices = List.copyOf(choices);
    }
}
