package dev.warden.guard.code;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One insecure-code rule: a line of code in one of {@code languages} (empty: any language) that matches one of
 * {@code patterns}, and not {@code unless}, is a weakness of kind {@code cwe}. {@code insecure} and {@code secure}
 * are example lines the rule must and must not match; loading checks them, so a rule file cannot ship a rule that
 * misses its own example.
 */
public record InsecureCodeRule(
        String id,
        Set<CodeLanguage> languages,
        String cwe,
        String title,
        List<Pattern> patterns,
        Pattern unless,
        List<String> insecure,
        List<String> secure) {

    public InsecureCodeRule {
        languages = Set.copyOf(languages);
        patterns = List.copyOf(patterns);
        insecure = List.copyOf(insecure);
        secure = List.copyOf(secure);
    }

    public boolean appliesTo(java.util.Optional<CodeLanguage> language) {
        return languages.isEmpty() || language.isEmpty() || languages.contains(language.get());
    }

    public boolean matches(String line) {
        for (Pattern p : patterns) {
            if (p.matcher(line).find()) {
                return unless == null || !unless.matcher(line).find();
            }
        }
        return false;
    }
}
