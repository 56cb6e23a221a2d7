package dev.warden.guard.embedded.training;

import dev.warden.guard.eval.Evaluate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whole files that are never in the training pool and never used to choose a threshold: read only to report
 * figures after training. {@code head} says which score a row is judged by ({@code unsafe}, {@code jailbreak} as a
 * user turn, {@code injection} as tool content); {@code positive} is null-free.
 */
final class HeldOutSets {

    record Item(String set, String head, String text, boolean positive, String category) {}

    private HeldOutSets() {}

    static List<Item> load(Path root) throws IOException {
        List<Item> out = new ArrayList<>();
        for (Map<String, String> r : Evaluate.rows(root.resolve("coconot/coconot_contrast_eval.jsonl"))) {
            out.add(new Item("coconot-contrast", "unsafe", r.get("prompt"), false, r.get("subcategory")));
            out.add(new Item("coconot-contrast", "jailbreak", r.get("prompt"), false, r.get("subcategory")));
        }
        for (Map<String, String> r : Evaluate.rows(root.resolve("harmbench/harmbench_behaviors_text_all.csv"))) {
            String context = r.get("ContextString");
            String text =
                    context == null || context.isBlank() ? r.get("Behavior") : context + "\n\n" + r.get("Behavior");
            out.add(new Item("harmbench", "unsafe", text, true, r.get("SemanticCategory")));
        }
        for (Map<String, String> r : Evaluate.rows(root.resolve("strongreject/strongreject_dataset.csv"))) {
            out.add(new Item("strongreject", "unsafe", r.get("forbidden_prompt"), true, r.get("category")));
        }
        for (Map<String, String> r : Evaluate.rows(root.resolve("hatecheck/test_suite_cases.csv"))) {
            out.add(new Item(
                    "hatecheck",
                    "unsafe",
                    r.get("test_case"),
                    r.get("label_gold").equals("hateful"),
                    r.get("functionality")));
        }
        for (Map<String, String> r : Evaluate.rows(root.resolve("openai-moderation/samples-1680.jsonl.gz"))) {
            boolean any = false;
            boolean all = true;
            for (String k : List.of("S", "H", "V", "HR", "SH", "S3", "H2", "V2")) {
                String v = r.get(k);
                all &= v != null && !v.isEmpty();
                any |= "1".equals(v);
            }
            if (any || all) {
                out.add(new Item("openai-moderation", "unsafe", r.get("prompt"), any, null));
            }
        }
        for (JsonNode n : JsonMapper.builder()
                .build()
                .readTree(root.resolve("notinject/NotInject_three.json").toFile())) {
            out.add(new Item(
                    "notinject-three",
                    "jailbreak",
                    n.get("prompt").asString(),
                    false,
                    n.get("category").asString()));
            out.add(new Item(
                    "notinject-three",
                    "unsafe",
                    n.get("prompt").asString(),
                    false,
                    n.get("category").asString()));
        }
        for (Map<String, String> r : Evaluate.rows(root.resolve("deepset-prompt-injections/derived-test.jsonl"))) {
            out.add(new Item(
                    "deepset-test", "jailbreak", r.get("text"), r.get("label").equals("1"), null));
        }
        List<Map<String, String>> gsm = Evaluate.rows(root.resolve("gsm8k/test.jsonl"));
        for (Map<String, String> r : DatasetCatalog.cap(
                        gsm.stream().map(m -> m.get("question")).toList(), 300)
                .stream()
                .map(q -> Map.of("question", q))
                .toList()) {
            out.add(new Item("gsm8k-test", "jailbreak", r.get("question"), false, null));
        }
        return out.stream().filter(i -> i.text() != null && !i.text().isBlank()).toList();
    }
}
