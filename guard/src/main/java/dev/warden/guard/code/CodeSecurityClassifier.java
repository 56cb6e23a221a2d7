package dev.warden.guard.code;

import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Insecure code in what the model writes, in the manner of Meta's CodeShield insecure-code detector: the code
 * blocks and code-running tool calls of the Agent turn ({@link CodeBlocks}) are scanned with
 * {@link InsecureCodeRules}. A finding scores {@value #LABEL} 1.0 and {@code insecure_code.cwe-N} 1.0 for each
 * weakness found, so policy puts one action on the label (flag by default) while responses and the audit record
 * say which weaknesses; the detail names rules and lines, never the code. Output only: a prompt that contains
 * insecure code (asking for a review, say) is not a reason to refuse it.
 */
public final class CodeSecurityClassifier implements Classifier {

    public static final String NAME = "code-security";
    public static final String LABEL = "insecure_code";
    public static final String CWE_LABEL_PREFIX = LABEL + ".cwe-";

    private final InsecureCodeRules rules;

    public CodeSecurityClassifier(InsecureCodeRules rules) {
        this.rules = rules;
    }

    public CodeSecurityClassifier() {
        this(InsecureCodeRules.builtIn());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return rules.version();
    }

    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.OUTPUT);
    }

    @Override
    public Mono<Verdict> classify(GuardInput input) {
        return Mono.fromSupplier(() -> scan(input.response())).subscribeOn(Schedulers.parallel());
    }

    /** The findings in one Agent turn; public for the evaluation command and for tests. */
    public List<CodeFinding> findings(String turn) {
        return CodeBlocks.in(turn).stream().flatMap(b -> rules.scan(b).stream()).toList();
    }

    private Verdict scan(String turn) {
        long start = System.nanoTime();
        List<CodeFinding> findings = findings(turn);
        Map<String, Double> scores = new LinkedHashMap<>();
        if (!findings.isEmpty()) {
            scores.put(LABEL, 1.0);
            for (String cwe : findings.stream().map(CodeFinding::cwe).collect(Collectors.toCollection(TreeSet::new))) {
                scores.put(cweLabel(cwe), 1.0);
            }
        }
        String detail = findings.isEmpty()
                ? null
                : findings.stream()
                        .map(f -> f.cwe() + " " + f.rule() + " line " + f.line())
                        .distinct()
                        .limit(20)
                        .collect(Collectors.joining("; "));
        return new Verdict(
                NAME, version(), Verdict.Status.OK, scores, Duration.ofNanos(System.nanoTime() - start), detail);
    }

    /** {@code CWE-78} → {@code insecure_code.cwe-78}. */
    public static String cweLabel(String cwe) {
        return LABEL + "." + cwe.toLowerCase(Locale.ROOT);
    }

    /** {@code insecure_code.cwe-78} → {@code CWE-78}; other labels are not CWE labels. */
    public static java.util.Optional<String> cweOf(String label) {
        return label.startsWith(CWE_LABEL_PREFIX)
                ? java.util.Optional.of("CWE-" + label.substring(CWE_LABEL_PREFIX.length()))
                : java.util.Optional.empty();
    }
}
