package dev.warden.policy.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.tenant.TenantDirectory;
import dev.warden.policy.tenant.TenantPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionMakerTest {

    static final TenantDirectory EXAMPLE = TenantDirectory.load(
            Path.of("../config/tenants.example.yaml"), LicenceCatalog.load(Path.of("../config/licences")));
    static final TenantPolicy ACME = EXAMPLE.tenant("acme").orElseThrow().policy();
    static final Duration MS = Duration.ofMillis(3);

    final DecisionMaker decider = new DecisionMaker();

    static Verdict llamaGuard(Map<String, Double> scores) {
        return Verdict.ok("llama-guard", "3-8b", scores, MS);
    }

    @Test
    void aCategoryAtOrAboveTheTenantsThresholdBlocksAndNamesTheRule() {
        Decision d =
                decider.decide("acme", ACME, Direction.OUTPUT, List.of(llamaGuard(Map.of("unsafe", 0.4, "S9", 0.3))));
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("tenant acme: output S9 >= 0.3 -> block");
        assertThat(d.decisiveLabels()).containsExactly("S9");
        assertThat(d.triggers()).singleElement().satisfies(t -> {
            assertThat(t.score()).isEqualTo(0.3);
            assertThat(t.classifier()).isEqualTo("llama-guard");
        });
    }

    @Test
    void belowTheThresholdNothingFires() {
        Decision d = decider.decide("acme", ACME, Direction.OUTPUT, List.of(llamaGuard(Map.of("S9", 0.29))));
        assertThat(d.action()).isEqualTo(Action.ALLOW);
        assertThat(d.triggers()).isEmpty();
        assertThat(d.rule()).isEqualTo("tenant acme: output no rule fired -> allow");
    }

    @Test
    void licenceDefaultsApplyWhereTheTenantIsSilentAndSayWhereTheyCameFrom() {
        Decision flag = decider.decide("acme", ACME, Direction.INPUT, List.of(llamaGuard(Map.of("S5", 0.7))));
        assertThat(flag.action()).isEqualTo(Action.FLAG);
        assertThat(flag.rule()).isEqualTo("tenant acme: input S5 >= 0.5 -> flag (llama-3.1 AUP default)");

        Decision block = decider.decide("acme", ACME, Direction.INPUT, List.of(llamaGuard(Map.of("S1", 0.9))));
        assertThat(block.action()).isEqualTo(Action.BLOCK);
        assertThat(block.rule()).endsWith("(llama-3.1 AUP default)");
    }

    @Test
    void anAllowRuleNeverFires() {
        Decision d = decider.decide("acme", ACME, Direction.OUTPUT, List.of(llamaGuard(Map.of("S6", 1.0))));
        assertThat(d.action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void theStrictestActionWinsAcrossClassifiers() {
        Verdict rules = Verdict.ok("rules", "1", Map.of("pii.card", 1.0), MS);
        Verdict promptGuard = Verdict.ok("prompt-guard", "2-86m", Map.of("injection", 0.95, "jailbreak", 0.1), MS);
        Decision redact = decider.decide("acme", ACME, Direction.INPUT, List.of(rules, promptGuard));
        assertThat(redact.action()).isEqualTo(Action.REDACT);
        assertThat(redact.redactions()).containsExactly("pii.card");
        assertThat(redact.triggers())
                .extracting(Decision.Trigger::label)
                .containsExactlyInAnyOrder("pii.card", "injection");

        Verdict attack = Verdict.ok("prompt-guard", "2-86m", Map.of("jailbreak", 0.85), MS);
        Decision block = decider.decide("acme", ACME, Direction.INPUT, List.of(rules, attack));
        assertThat(block.action()).isEqualTo(Action.BLOCK);
        assertThat(block.rule()).isEqualTo("tenant acme: input jailbreak >= 0.8 -> block");
        assertThat(block.redactions()).containsExactly("pii.card");
    }

    @Test
    void aFailedClassifierBlocksWhenTheTenantFailsClosed() {
        Verdict timeout = Verdict.failed(
                "prompt-guard", "2-86m", Verdict.Status.TIMEOUT, Duration.ofMillis(250), "deadline 250 ms");
        Decision d = decider.decide("acme", ACME, Direction.INPUT, List.of(timeout, llamaGuard(Map.of())));
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("tenant acme: fail-closed: prompt-guard timeout");
        assertThat(d.bypassed()).isEmpty();
    }

    @Test
    void aFailedClassifierIsBypassedAndRecordedWhenTheTenantFailsOpen() {
        GuardPolicy open = new GuardPolicy(
                FailMode.OPEN, ACME.guard().input(), ACME.guard().output());
        Verdict error = Verdict.failed("llama-guard", "3-8b", Verdict.Status.ERROR, MS, "engine overloaded");
        Decision d = decider.decide("acme", open, Direction.OUTPUT, List.of(error));
        assertThat(d.action()).isEqualTo(Action.ALLOW);
        assertThat(d.bypassed())
                .containsExactly(new Decision.Bypass("llama-guard", Verdict.Status.ERROR, "engine overloaded"));

        Decision stillBlocks = decider.decide(
                "acme", open, Direction.OUTPUT, List.of(error, Verdict.ok("rules", "1", Map.of("S13", 0.9), MS)));
        assertThat(stillBlocks.action()).isEqualTo(Action.BLOCK);
        assertThat(stillBlocks.bypassed()).hasSize(1);
    }

    @Test
    void theInputBudgetIsATenantSettingWithADefault() {
        assertThat(ACME.guard().maxInputChars()).isEqualTo(64_000);
        assertThat(new GuardPolicy(FailMode.OPEN, Map.of(), Map.of()).maxInputChars())
                .isEqualTo(GuardPolicy.DEFAULT_MAX_INPUT_CHARS);
    }

    @Test
    void builtInDefaultsBlockEveryCategoryWithoutALicence() {
        TenantPolicy local = EXAMPLE.tenant("local").orElseThrow().policy();
        // local accepted llama-3.1, so S6 flags by the AUP mapping; with no licence defaults at all it would block
        GuardPolicy builtIn = new GuardPolicy(
                FailMode.CLOSED,
                DefaultRules.forDirection(Direction.INPUT),
                DefaultRules.forDirection(Direction.OUTPUT));
        assertThat(decider.decide("local", local, Direction.INPUT, List.of(llamaGuard(Map.of("S6", 0.6))))
                        .action())
                .isEqualTo(Action.FLAG);
        Decision d = decider.decide("x", builtIn, Direction.INPUT, List.of(llamaGuard(Map.of("S6", 0.6))));
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("tenant x: input S6 >= 0.5 -> block (built-in default)");
        // prompt-attack labels have no rule on output
        assertThat(decider.decide(
                                "x",
                                builtIn,
                                Direction.OUTPUT,
                                List.of(Verdict.ok("prompt-guard", "1", Map.of("jailbreak", 1.0), MS)))
                        .action())
                .isEqualTo(Action.ALLOW);
    }

    @Test
    void insecureCodeIsFlaggedOnOutputByDefaultAndBlockedWhereATenantSaysSo() {
        GuardPolicy builtIn = new GuardPolicy(
                FailMode.CLOSED,
                DefaultRules.forDirection(Direction.INPUT),
                DefaultRules.forDirection(Direction.OUTPUT));
        Verdict code = Verdict.ok("code-security", "1", Map.of("insecure_code", 1.0, "insecure_code.cwe-78", 1.0), MS);
        Decision d = decider.decide("x", builtIn, Direction.OUTPUT, List.of(code));
        assertThat(d.action()).isEqualTo(Action.FLAG);
        assertThat(d.rule()).isEqualTo("tenant x: output insecure_code >= 0.5 -> flag (built-in default)");

        Map<String, LabelRule> output = new java.util.LinkedHashMap<>(DefaultRules.forDirection(Direction.OUTPUT));
        output.put("insecure_code", new LabelRule("insecure_code", Action.BLOCK, 0.5, LabelRule.FROM_TENANT));
        GuardPolicy strict = new GuardPolicy(FailMode.CLOSED, DefaultRules.forDirection(Direction.INPUT), output);
        assertThat(decider.decide("x", strict, Direction.OUTPUT, List.of(code)).action())
                .isEqualTo(Action.BLOCK);
        assertThat(Labels.isKnown("insecure_code.cwe-78")).isTrue();
        assertThat(Labels.isKnown("insecure_code.cwe-x")).isFalse();
    }
}
