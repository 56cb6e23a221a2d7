package dev.warden.guard.code;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measures the insecure-code rules against labels they were not written from (see guard/EVALUATION.md):
 * <ul>
 *   <li>{@code bandit=FILE root=DIR}: Python files under {@code root} labelled line by line by Bandit (PyCQA,
 *       Apache-2.0; {@code bandit -r DIR -f json -o FILE -t <ids>}), per CWE family: how many of Bandit's findings
 *       the rules also find (recall against Bandit) and how many of the rules' findings Bandit also reports
 *       (precision against Bandit); every disagreement is printed for review;</li>
 *   <li>{@code humaneval=FILE}: HumanEval's canonical solutions (MIT), ordinary code with no weakness: the share
 *       of programs with any finding is the false-positive rate on clean code.</li>
 * </ul>
 * Run: {@code ./mvnw -q -B -o -pl guard -am process-test-classes -Pevaluate-code -Dexec.args="..."}.
 */
public final class CodeSecurityEvaluation {

    /** Bandit test ids of the weaknesses the rules cover, by the CWE the rules give them. */
    private static final Map<String, String> BANDIT_CWE = Map.ofEntries(
            Map.entry("B602", "CWE-78"),
            Map.entry("B605", "CWE-78"),
            Map.entry("B307", "CWE-95"),
            Map.entry("B102", "CWE-95"),
            Map.entry("B301", "CWE-502"),
            Map.entry("B302", "CWE-502"),
            Map.entry("B506", "CWE-502"),
            Map.entry("B303", "CWE-328"),
            Map.entry("B324", "CWE-328"),
            Map.entry("B304", "CWE-327"),
            Map.entry("B305", "CWE-327"),
            Map.entry("B306", "CWE-377"),
            Map.entry("B108", "CWE-377"),
            Map.entry("B311", "CWE-338"),
            Map.entry("B323", "CWE-295"),
            Map.entry("B501", "CWE-295"),
            Map.entry("B103", "CWE-732"),
            Map.entry("B608", "CWE-89"),
            Map.entry("B701", "CWE-79"),
            Map.entry("B201", "CWE-489"));

    private final InsecureCodeRules rules = InsecureCodeRules.builtIn();

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        CodeSecurityEvaluation eval = new CodeSecurityEvaluation();
        System.out.println(
                "rules " + eval.rules.version() + ", " + eval.rules.rules().size() + " rules");
        if (opts.containsKey("bandit")) {
            eval.againstBandit(Path.of(opts.get("bandit")), Path.of(opts.get("root")));
        }
        if (opts.containsKey("humaneval")) {
            eval.cleanCode(Path.of(opts.get("humaneval")));
        }
    }

    private record Hit(String file, int line, String cwe) {}

    private List<CodeFinding> scanPython(String code) {
        return rules.scan(new CodeBlock(Optional.of(CodeLanguage.PYTHON), code, "file", 1));
    }

    void againstBandit(Path banditJson, Path root) throws IOException {
        JsonNode report = JsonMapper.builder().build().readTree(banditJson.toFile());
        Map<String, List<int[]>> banditByKey = new HashMap<>();
        List<Hit> banditHits = new ArrayList<>();
        for (JsonNode r : report.path("results")) {
            String cwe = BANDIT_CWE.get(r.path("test_id").asString());
            if (cwe == null) {
                continue;
            }
            String file = r.path("filename").asString();
            int first = r.path("line_number").asInt();
            int last = first;
            for (JsonNode l : r.path("line_range")) {
                last = Math.max(last, l.asInt());
            }
            banditHits.add(new Hit(file, first, cwe));
            banditByKey
                    .computeIfAbsent(file + "|" + cwe, k -> new ArrayList<>())
                    .add(new int[] {first, last});
        }
        List<Hit> ours = new ArrayList<>();
        Set<String> files = new HashSet<>();
        report.path("metrics").propertyNames().forEach(f -> {
            if (!f.equals("_totals")) {
                files.add(f);
            }
        });
        for (String file : files) {
            String code;
            try {
                code = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                continue;
            }
            for (CodeFinding f : scanPython(code)) {
                if (BANDIT_CWE.containsValue(f.cwe())) {
                    ours.add(new Hit(file, f.line(), f.cwe()));
                }
            }
        }
        Map<String, int[]> perCwe = new TreeMap<>(); // bandit, ours, bandit found by us, ours confirmed by bandit
        Set<Hit> matchedBandit = new HashSet<>();
        List<String> oursOnly = new ArrayList<>();
        for (Hit h : ours) {
            int[] c = perCwe.computeIfAbsent(h.cwe(), k -> new int[4]);
            c[1]++;
            boolean confirmed = false;
            for (int[] range : banditByKey.getOrDefault(h.file() + "|" + h.cwe(), List.of())) {
                if (h.line() >= range[0] && h.line() <= range[1]) {
                    confirmed = true;
                    matchedBandit.add(new Hit(h.file(), range[0], h.cwe()));
                }
            }
            if (confirmed) {
                c[3]++;
            } else {
                oursOnly.add(h.cwe() + " " + root.relativize(Path.of(h.file())) + ":" + h.line() + "  "
                        + line(h.file(), h.line()));
            }
        }
        List<String> banditOnly = new ArrayList<>();
        for (Hit h : banditHits) {
            int[] c = perCwe.computeIfAbsent(h.cwe(), k -> new int[4]);
            c[0]++;
            if (matchedBandit.contains(h)) {
                c[2]++;
            } else {
                banditOnly.add(h.cwe() + " " + root.relativize(Path.of(h.file())) + ":" + h.line() + "  "
                        + line(h.file(), h.line()));
            }
        }
        System.out.printf("%nBandit comparison over %d Python files under %s%n", files.size(), root);
        System.out.println("| CWE | Bandit findings | rule findings | recall vs Bandit | precision vs Bandit |");
        System.out.println("|---|---|---|---|---|");
        int[] total = new int[4];
        perCwe.forEach((cwe, c) -> {
            System.out.printf("| %s | %d | %d | %s | %s |%n", cwe, c[0], c[1], ratio(c[2], c[0]), ratio(c[3], c[1]));
            for (int i = 0; i < 4; i++) {
                total[i] += c[i];
            }
        });
        System.out.printf(
                "| all | %d | %d | %s | %s |%n",
                total[0], total[1], ratio(total[2], total[0]), ratio(total[3], total[1]));
        System.out.println("\nBandit only (missed by the rules):");
        banditOnly.stream().sorted().forEach(s -> System.out.println("  " + s));
        System.out.println("\nRules only (not reported by Bandit):");
        oursOnly.stream().sorted().forEach(s -> System.out.println("  " + s));
    }

    void cleanCode(Path humanEval) throws IOException {
        int programs = 0;
        int flagged = 0;
        JsonMapper json = JsonMapper.builder().build();
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(humanEval)), StandardCharsets.UTF_8))) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                if (l.isBlank()) {
                    continue;
                }
                JsonNode row = json.readTree(l);
                String program = row.path("prompt").asString()
                        + row.path("canonical_solution").asString();
                programs++;
                List<CodeFinding> f = scanPython(program);
                if (!f.isEmpty()) {
                    flagged++;
                    System.out.println("  flagged " + row.path("task_id").asString() + " " + f);
                }
            }
        }
        System.out.printf(
                "%nHumanEval canonical solutions: %d of %d programs flagged (false-positive rate %s)%n",
                flagged, programs, ratio(flagged, programs));
    }

    private static String ratio(int a, int b) {
        return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * a / b, a, b);
    }

    private static String line(String file, int line) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            String s = line - 1 < lines.size() ? lines.get(line - 1).strip() : "";
            return s.length() > 110 ? s.substring(0, 110) + "..." : s;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
