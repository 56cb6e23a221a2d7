package dev.warden.guard.code;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The insecure-code rules, kept as data ({@code insecure-code-rules.json} beside this class, or an operator's own
 * file) so that adding a rule is an edit to a file, reviewed with its examples, not a code change. A file that
 * cannot be read, a bad pattern, or a rule that misses one of its own insecure examples (or matches a secure
 * one) is refused at start with the rule's id.
 */
public final class InsecureCodeRules {

    public static final String BUILT_IN = "insecure-code-rules.json";

    private final List<InsecureCodeRule> rules;
    private final String version;

    private InsecureCodeRules(List<InsecureCodeRule> rules, String version) {
        this.rules = List.copyOf(rules);
        this.version = version;
    }

    public static InsecureCodeRules builtIn() {
        try (InputStream in = InsecureCodeRules.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the built-in " + BUILT_IN + " is missing from the guard jar");
            }
            return parse(in.readAllBytes(), BUILT_IN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in " + BUILT_IN, e);
        }
    }

    public static InsecureCodeRules from(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.getFileName().toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the insecure-code rules file " + file.getFileName(), e);
        }
    }

    static InsecureCodeRules parse(byte[] bytes, String source) {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(bytes);
        } catch (JacksonException e) {
            throw new IllegalStateException(source + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root.path("rules");
        if (!list.isArray() || list.isEmpty()) {
            throw new IllegalStateException(source + " has no \"rules\" array");
        }
        List<InsecureCodeRule> rules = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode node : list) {
            InsecureCodeRule rule = rule(node, source);
            if (!ids.add(rule.id())) {
                throw new IllegalStateException(source + ": rule id " + rule.id() + " appears twice");
            }
            check(rule, source);
            rules.add(rule);
        }
        return new InsecureCodeRules(rules, root.path("version").asString("0") + "-" + crc(bytes));
    }

    /** Change detection for the verdict cache key, not integrity: a CRC is enough. */
    private static String crc(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }

    private static InsecureCodeRule rule(JsonNode node, String source) {
        String id = node.path("id").asString("");
        if (id.isBlank()) {
            throw new IllegalStateException(source + ": a rule has no id");
        }
        String cwe = node.path("cwe").asString("");
        if (!cwe.matches("CWE-\\d+")) {
            throw new IllegalStateException(source + ": rule " + id + " needs a cwe like CWE-78");
        }
        Set<CodeLanguage> languages = EnumSet.noneOf(CodeLanguage.class);
        for (JsonNode l : node.path("languages")) {
            String name = l.asString("").toUpperCase(Locale.ROOT);
            if (name.equals("ANY")) {
                continue;
            }
            try {
                languages.add(CodeLanguage.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(source + ": rule " + id + " names an unknown language " + name);
            }
        }
        List<Pattern> patterns = new ArrayList<>();
        for (JsonNode p : node.path("patterns")) {
            patterns.add(pattern(p.asString(""), id, source));
        }
        if (patterns.isEmpty()) {
            throw new IllegalStateException(source + ": rule " + id + " has no patterns");
        }
        Pattern unless = node.hasNonNull("unless") ? pattern(node.get("unless").asString(""), id, source) : null;
        return new InsecureCodeRule(
                id,
                languages,
                cwe,
                node.path("title").asString(id),
                patterns,
                unless,
                strings(node.path("insecure")),
                strings(node.path("secure")));
    }

    private static Pattern pattern(String regex, String id, String source) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException(source + ": rule " + id + " has a bad pattern: " + e.getDescription());
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(n.asString(""));
        }
        return out;
    }

    private static void check(InsecureCodeRule rule, String source) {
        if (rule.insecure().isEmpty()) {
            throw new IllegalStateException(source + ": rule " + rule.id() + " has no insecure example");
        }
        for (String example : rule.insecure()) {
            if (!rule.matches(example)) {
                throw new IllegalStateException(
                        source + ": rule " + rule.id() + " misses its insecure example " + example);
            }
        }
        for (String example : rule.secure()) {
            if (rule.matches(example)) {
                throw new IllegalStateException(
                        source + ": rule " + rule.id() + " matches its secure example " + example);
            }
        }
    }

    public List<InsecureCodeRule> rules() {
        return rules;
    }

    /** The file's own version and a digest of its bytes: verdict caches must not outlive a rule change. */
    public String version() {
        return version;
    }

    /** Every rule that fires on a line of the block, once per rule and line; comment lines are skipped. */
    public List<CodeFinding> scan(CodeBlock block) {
        List<CodeFinding> findings = new ArrayList<>();
        String[] lines = block.code().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() > 4_000 || isComment(line)) {
                // Minified or generated lines are not what a model writes for a person to run; skipping them
                // bounds the cost of a pathological response.
                continue;
            }
            for (InsecureCodeRule rule : rules) {
                if (rule.appliesTo(block.language()) && rule.matches(line)) {
                    findings.add(new CodeFinding(rule.id(), rule.cwe(), block.firstLine() + i));
                }
            }
        }
        return findings;
    }

    private static boolean isComment(String line) {
        String s = line.stripLeading();
        return (s.startsWith("#") && !s.startsWith("#!") && !s.startsWith("#include") && !s.startsWith("#define"))
                || s.startsWith("//")
                || s.startsWith("--")
                || s.startsWith("/*")
                || s.startsWith("* ");
    }
}
