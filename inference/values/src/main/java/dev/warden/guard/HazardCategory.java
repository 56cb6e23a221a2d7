package dev.warden.guard;

import java.util.List;
import java.util.Optional;

/**
 * The Llama Guard 3 hazard taxonomy (MLCommons v0.5 plus Meta's S14). {@code promptName} is the exact string
 * used in the Llama Guard prompt (without the trailing full stop); {@code openAiCategories} are the OpenAI
 * moderation keys it maps to (empty where OpenAI has no equivalent; the S-code is then an extra key).
 */
public enum HazardCategory {
    S1("Violent Crimes", List.of("violence")),
    S2("Non-Violent Crimes", List.of("illicit")),
    S3("Sex Crimes", List.of("sexual", "illicit/violent")),
    S4("Child Exploitation", List.of("sexual/minors")),
    S5("Defamation", List.of()),
    S6("Specialized Advice", List.of()),
    S7("Privacy", List.of()),
    S8("Intellectual Property", List.of()),
    S9("Indiscriminate Weapons", List.of("illicit/violent")),
    S10("Hate", List.of("hate")),
    S11("Self-Harm", List.of("self-harm")),
    S12("Sexual Content", List.of("sexual")),
    S13("Elections", List.of()),
    S14("Code Interpreter Abuse", List.of());

    private final String promptName;
    private final List<String> openAiCategories;

    HazardCategory(String promptName, List<String> openAiCategories) {
        this.promptName = promptName;
        this.openAiCategories = openAiCategories;
    }

    /** {@code S1} ... {@code S14}. */
    public String code() {
        return name();
    }

    public String promptName() {
        return promptName;
    }

    public List<String> openAiCategories() {
        return openAiCategories;
    }

    public static Optional<HazardCategory> fromCode(String code) {
        try {
            return Optional.of(valueOf(code.trim()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
