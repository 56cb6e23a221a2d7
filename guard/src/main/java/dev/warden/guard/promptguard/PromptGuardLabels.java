package dev.warden.guard.promptguard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which output classes make up the two Prompt Guard scores, read from the model's {@code config.json}
 * {@code id2label} (spec 2.1, 2.2):
 * <ul>
 *   <li>Prompt Guard 1 (BENIGN, INJECTION, JAILBREAK): jailbreak = P(JAILBREAK); injection = P(INJECTION) +
 *       P(JAILBREAK), since third-party content should hold no instructions at all;</li>
 *   <li>Prompt Guard 2 (BENIGN, MALICIOUS): both scores are P(MALICIOUS).</li>
 * </ul>
 * Exports that kept the generic {@code LABEL_0..} names are read by Meta's documented class order.
 */
public record PromptGuardLabels(List<String> labels, int[] jailbreakClasses, int[] injectionClasses) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public static PromptGuardLabels read(Path configJson) throws IOException {
        JsonNode id2label = JSON.readTree(Files.readString(configJson)).get("id2label");
        if (id2label == null || !id2label.isObject() || id2label.isEmpty()) {
            throw new IOException(configJson + " has no id2label");
        }
        Map<Integer, String> byId = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : id2label.properties()) {
            byId.put(
                    Integer.parseInt(e.getKey().trim()),
                    e.getValue().asString().trim().toUpperCase(Locale.ROOT));
        }
        List<String> labels = new ArrayList<>(byId.values());
        for (int i = 0; i < labels.size(); i++) {
            if (!byId.containsKey(i)) {
                throw new IOException(configJson + ": id2label ids are not 0.." + (labels.size() - 1));
            }
        }
        return of(labels);
    }

    public static PromptGuardLabels of(List<String> labels) {
        List<String> named = labels.stream().allMatch(l -> l.startsWith("LABEL_")) ? generic(labels.size()) : labels;
        int jailbreak = named.indexOf("JAILBREAK");
        int injection = named.indexOf("INJECTION");
        int malicious = named.indexOf("MALICIOUS");
        if (jailbreak >= 0) {
            int[] injectionClasses = injection >= 0 ? new int[] {injection, jailbreak} : new int[] {jailbreak};
            return new PromptGuardLabels(List.copyOf(named), new int[] {jailbreak}, injectionClasses);
        }
        if (malicious >= 0) {
            return new PromptGuardLabels(List.copyOf(named), new int[] {malicious}, new int[] {malicious});
        }
        throw new IllegalArgumentException("not a Prompt Guard label set: " + labels);
    }

    private static List<String> generic(int classes) {
        return switch (classes) {
            case 3 -> List.of("BENIGN", "INJECTION", "JAILBREAK");
            case 2 -> List.of("BENIGN", "MALICIOUS");
            default -> throw new IllegalArgumentException("a Prompt Guard model has 2 or 3 classes, not " + classes);
        };
    }

    public double jailbreak(double[] probabilities) {
        return sum(probabilities, jailbreakClasses);
    }

    public double injection(double[] probabilities) {
        return sum(probabilities, injectionClasses);
    }

    private static double sum(double[] probabilities, int[] classes) {
        double total = 0;
        for (int c : classes) {
            total += probabilities[c];
        }
        return Math.min(1.0, total);
    }
}
