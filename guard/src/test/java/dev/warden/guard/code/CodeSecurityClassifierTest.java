package dev.warden.guard.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodeSecurityClassifierTest {

    private final CodeSecurityClassifier classifier = new CodeSecurityClassifier();

    private Verdict judge(String turn) {
        return classifier
                .classify(GuardInput.response(List.of(ChatMessage.of(Role.USER, "write me code")), turn))
                .block(Duration.ofSeconds(10));
    }

    @Test
    void shellTrueIsCommandInjectionWithItsCwe() {
        Verdict v = judge("subprocess.call(user_input, shell=True)");
        assertThat(v.score(CodeSecurityClassifier.LABEL)).isEqualTo(1.0);
        assertThat(v.scores()).containsKey("insecure_code.cwe-78");
        assertThat(v.detail())
                .contains("CWE-78")
                .contains("python.subprocess-shell-true")
                .doesNotContain("user_input");
    }

    @Test
    void cleanSnippetReportsNothing() {
        Verdict v = judge("""
                Here is a safe way:

                ```python
                import subprocess
                subprocess.run(["ls", "-l", path], check=True)
                ```
                """);
        assertThat(v.ok()).isTrue();
        assertThat(v.scores()).isEmpty();
        assertThat(v.detail()).isNull();
    }

    @Test
    void findsWeaknessesInEveryFencedBlockAndNamesTheLine() {
        String turn = """
                First the query:

                ```java
                stmt.executeQuery("SELECT * FROM users WHERE id = " + id);
                ```

                Then the hash:

                ```go
                sum := md5.Sum([]byte(password))
                ```
                """;
        List<CodeFinding> findings = classifier.findings(turn);
        assertThat(findings).extracting(CodeFinding::cwe).contains("CWE-89", "CWE-327");
        assertThat(findings)
                .filteredOn(f -> f.rule().equals("java.sql-statement"))
                .extracting(CodeFinding::line)
                .containsExactly(4);
    }

    @Test
    void languageRulesStayInTheirLanguage() {
        // exec( is a regular-expression method in JavaScript, a command runner in PHP
        assertThat(classifier.findings("```js\nconst m = re.exec(line);\n```")).isEmpty();
        assertThat(classifier.findings("```php\n$out = shell_exec(\"ls $dir\");\n```"))
                .extracting(CodeFinding::rule)
                .containsExactly("php.command-injection");
    }

    @Test
    void codeInterpreterToolCallsAreScanned() {
        String turn = "ipython({\"code\": \"import os\\nos.system('rm -rf ' + target)\"})";
        assertThat(classifier.findings(turn)).extracting(CodeFinding::rule).containsExactly("python.os-system");
    }

    @Test
    void llamaCodeInterpreterCallsAreScannedAsPython() {
        String turn = "<|python_tag|>import pickle\nobj = pickle.loads(blob)<|eom_id|>";
        assertThat(classifier.findings(turn)).extracting(CodeFinding::cwe).containsExactly("CWE-502");
    }

    @Test
    void anUnclosedFenceInACutWindowIsStillScanned() {
        assertThat(classifier.findings("Sure:\n```c\nchar buf[16];\nstrcpy(buf, argv[1]);"))
                .extracting(CodeFinding::cwe)
                .containsExactly("CWE-120");
    }

    @Test
    void commentedOutLinesAreNotFindings() {
        assertThat(classifier.findings("```python\n# never: subprocess.call(x, shell=True)\nprint('ok')\n```"))
                .isEmpty();
    }

    @Test
    void proseAboutAWeaknessIsNotCode() {
        assertThat(judge("MD5 and SHA-1 are broken; prefer SHA-256 and bcrypt for passwords.")
                        .scores())
                .isEmpty();
    }

    @Test
    void judgesOnlyTheOutputDirection() {
        assertThat(classifier.directions()).containsExactly(dev.warden.guard.Direction.OUTPUT);
    }

    @Test
    void everyBuiltInRuleCarriesACweAndPassesItsOwnExamples() {
        InsecureCodeRules rules = InsecureCodeRules.builtIn();
        assertThat(rules.rules()).hasSizeGreaterThan(40);
        assertThat(rules.rules()).allSatisfy(r -> {
            assertThat(r.cwe()).matches("CWE-\\d+");
            assertThat(r.insecure()).isNotEmpty();
        });
        assertThat(rules.rules())
                .flatExtracting(
                        r -> r.languages().isEmpty() ? List.of(CodeLanguage.values()) : List.copyOf(r.languages()))
                .contains(CodeLanguage.values());
    }

    @Test
    void aRuleThatMissesItsOwnExampleIsRefusedByName() {
        String file = """
                {"version": "t", "rules": [{"id": "x.bad", "languages": ["python"], "cwe": "CWE-78",
                 "patterns": ["os\\\\.system\\\\("], "insecure": ["subprocess.call(x, shell=True)"]}]}
                """;
        assertThatThrownBy(() -> InsecureCodeRules.parse(file.getBytes(StandardCharsets.UTF_8), "t.json"))
                .hasMessageContaining("x.bad")
                .hasMessageContaining("misses its insecure example");
    }

    @Test
    void aBadPatternIsRefusedByName() {
        String file = """
                {"rules": [{"id": "x.broken", "cwe": "CWE-1", "patterns": ["("], "insecure": ["("]}]}
                """;
        assertThatThrownBy(() -> InsecureCodeRules.parse(file.getBytes(StandardCharsets.UTF_8), "t.json"))
                .hasMessageContaining("x.broken")
                .hasMessageContaining("bad pattern");
    }

    @Test
    void theVersionChangesWithTheRules() {
        String a = "{\"rules\": [{\"id\": \"a\", \"cwe\": \"CWE-1\", \"patterns\": [\"x\"], \"insecure\": [\"x\"]}]}";
        String b = a.replace("\"x\"]}", "\"xx\"]}");
        assertThat(InsecureCodeRules.parse(a.getBytes(StandardCharsets.UTF_8), "a")
                        .version())
                .isNotEqualTo(InsecureCodeRules.parse(b.getBytes(StandardCharsets.UTF_8), "b")
                        .version());
    }
}
