package dev.warden.guard.embedded.training;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A tiny deterministic template expander for the generated training sets: {@code "How do I {kill|stop} a {process|job}?"}
 * expands to every combination of the alternatives in braces (no nesting). A family that expands to more rows than
 * it should carry keeps the ones with the smallest text hash, so reruns produce the same rows.
 */
final class Grammar {

    private Grammar() {}

    static List<String> expand(String template) {
        List<String> out = new ArrayList<>();
        out.add("");
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                append(out, List.of(template.substring(i)));
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed brace in template: " + template);
            }
            append(out, List.of(template.substring(i, open)));
            append(out, List.of(template.substring(open + 1, close).split("\\|", -1)));
            i = close + 1;
        }
        return out.stream().map(s -> s.replaceAll(" {2,}", " ").trim()).toList();
    }

    /** All expansions of all templates, at most {@code max} of them (smallest text hash first). */
    static List<String> expandAll(List<String> templates, int max) {
        List<String> all = new ArrayList<>();
        for (String t : templates) {
            for (String s : expand(t)) {
                if (!all.contains(s)) {
                    all.add(s);
                }
            }
        }
        if (all.size() <= max) {
            return all;
        }
        return all.stream()
                .sorted(Comparator.comparing(Split::textHash))
                .limit(max)
                .toList();
    }

    private static void append(List<String> prefixes, List<String> alternatives) {
        List<String> next = new ArrayList<>(prefixes.size() * alternatives.size());
        for (String p : prefixes) {
            for (String a : alternatives) {
                next.add(p + a);
            }
        }
        prefixes.clear();
        prefixes.addAll(next);
    }
}
