package dev.warden.guard.code;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The languages the insecure-code rules are written for. A code block names its language in its fence
 * ({@code ```python}); a block without one is {@linkplain #guess guessed} from tell-tale syntax, and when nothing
 * tells, every language's rules apply (the rules match API calls, not prose, so that costs little precision).
 */
public enum CodeLanguage {
    PYTHON,
    JAVASCRIPT,
    JAVA,
    C,
    GO,
    PHP,
    SHELL,
    SQL;

    private static final Map<String, CodeLanguage> FENCE_NAMES = Map.ofEntries(
            Map.entry("python", PYTHON),
            Map.entry("py", PYTHON),
            Map.entry("python3", PYTHON),
            Map.entry("ipython", PYTHON),
            Map.entry("javascript", JAVASCRIPT),
            Map.entry("js", JAVASCRIPT),
            Map.entry("jsx", JAVASCRIPT),
            Map.entry("typescript", JAVASCRIPT),
            Map.entry("ts", JAVASCRIPT),
            Map.entry("tsx", JAVASCRIPT),
            Map.entry("node", JAVASCRIPT),
            Map.entry("mjs", JAVASCRIPT),
            Map.entry("java", JAVA),
            Map.entry("kotlin", JAVA),
            Map.entry("c", C),
            Map.entry("cpp", C),
            Map.entry("c++", C),
            Map.entry("cc", C),
            Map.entry("h", C),
            Map.entry("hpp", C),
            Map.entry("cxx", C),
            Map.entry("go", GO),
            Map.entry("golang", GO),
            Map.entry("php", PHP),
            Map.entry("sh", SHELL),
            Map.entry("bash", SHELL),
            Map.entry("shell", SHELL),
            Map.entry("zsh", SHELL),
            Map.entry("console", SHELL),
            Map.entry("dockerfile", SHELL),
            Map.entry("sql", SQL),
            Map.entry("mysql", SQL),
            Map.entry("postgresql", SQL),
            Map.entry("psql", SQL),
            Map.entry("plsql", SQL),
            Map.entry("tsql", SQL),
            Map.entry("sqlite", SQL));

    // Ordered from the most to the least specific tell, so that e.g. PHP's "<?php" wins over its C-like body.
    private static final Map.Entry<CodeLanguage, Pattern>[] TELLS = tells();

    @SuppressWarnings("unchecked")
    private static Map.Entry<CodeLanguage, Pattern>[] tells() {
        return new Map.Entry[] {
            Map.entry(PHP, Pattern.compile("<\\?php|\\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\\b")),
            Map.entry(SHELL, Pattern.compile("\\A#!\\s*/(?:usr/)?bin/(?:env\\s+)?(?:ba|z|da)?sh\\b")),
            Map.entry(
                    GO,
                    Pattern.compile("(?m)^package\\s+\\w+\\s*$|\\bfunc\\s+(?:\\(\\w+\\s+\\*?\\w+\\)\\s*)?\\w+\\(|:=")),
            Map.entry(
                    JAVA,
                    Pattern.compile("\\b(?:public|private|protected)\\s+(?:static\\s+)?(?:final\\s+)?"
                            + "(?:class|void|[A-Z]\\w*(?:<[^>]*>)?)\\s+\\w+|\\bimport\\s+java\\.|System\\.out\\.")),
            Map.entry(C, Pattern.compile("(?m)^\\s*#\\s*include\\s*[<\"]|\\bint\\s+main\\s*\\(|\\bstd::")),
            Map.entry(
                    PYTHON,
                    Pattern.compile("(?m)^\\s*(?:def\\s+\\w+\\s*\\(.*\\)\\s*(?:->.*)?:|import\\s+\\w+"
                            + "(?:\\s+as\\s+\\w+)?\\s*$|from\\s+[\\w.]+\\s+import\\s)|\\bself\\.")),
            Map.entry(
                    JAVASCRIPT,
                    Pattern.compile("\\b(?:const|let|var)\\s+\\w+\\s*=|=>|\\brequire\\s*\\(\\s*['\"]"
                            + "|\\bfunction\\s+\\w*\\s*\\(|\\bconsole\\.log\\b|\\bdocument\\.")),
            Map.entry(
                    SQL,
                    Pattern.compile("(?i)^\\s*(?:select\\s.+\\sfrom\\s|insert\\s+into\\s|update\\s+\\w+\\s+set\\s"
                            + "|delete\\s+from\\s|create\\s+(?:table|user|procedure|function)\\s|grant\\s)")),
            Map.entry(
                    SHELL,
                    Pattern.compile("(?m)^\\s*(?:sudo\\s+)?(?:apt(?:-get)?|curl|wget|chmod|chown|echo|export"
                            + "|mkdir|rm|cd|ls|cat|grep|sed|awk|tar|systemctl|docker|git)\\s")),
        };
    }

    /** The language a fence's info string names ({@code ```python3 title="x"} → Python), if any. */
    public static Optional<CodeLanguage> fromFence(String info) {
        if (info == null || info.isBlank()) {
            return Optional.empty();
        }
        String word = info.strip().split("[\\s{,]", 2)[0].toLowerCase(Locale.ROOT);
        return Optional.ofNullable(FENCE_NAMES.get(word));
    }

    /** The language the code's syntax gives away, if it gives one away. */
    public static Optional<CodeLanguage> guess(String code) {
        for (Map.Entry<CodeLanguage, Pattern> tell : TELLS) {
            if (tell.getValue().matcher(code).find()) {
                return Optional.of(tell.getKey());
            }
        }
        return Optional.empty();
    }
}
