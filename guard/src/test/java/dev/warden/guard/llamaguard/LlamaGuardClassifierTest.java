package dev.warden.guard.llamaguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.warden.guard.GuardInput;
import dev.warden.guard.HazardCategory;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.InferenceException;
import dev.warden.inference.Role;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.TokenLogprob.Alternative;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the classifier on an engine whose output is scripted (fault and output injection). */
class LlamaGuardClassifierTest {

    private static final LlamaGuardCategories CATEGORIES =
            LlamaGuardCategories.standard(LlamaGuardVariant.LLAMA_GUARD_3_8B);
    private static final GuardInput PROMPT = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "hello")));

    private static LlamaGuardClassifier classifier(ScriptedEngine engine, LlamaGuardCategories categories) {
        return new LlamaGuardClassifier(engine, LlamaGuardConfig.of("llama-guard-3-8b", "lg3-8b-q8", categories));
    }

    @Test
    void sendsTheRenderedPromptGreedilyWithLogprobs() {
        ScriptedEngine engine = new ScriptedEngine("safe", null);
        LlamaGuardClassifier classifier = classifier(engine, CATEGORIES);

        classifier.classify(PROMPT).block();

        CompletionRequest sent = engine.requests.get(0);
        assertThat(sent.prompt()).isEqualTo(classifier.prompt().render(PROMPT));
        assertThat(sent.model()).isEqualTo("llama-guard-3-8b");
        assertThat(sent.params().temperature()).isEqualTo(0.0);
        assertThat(sent.params().maxTokens()).isEqualTo(20);
        assertThat(sent.params().logprobs()).isTrue();
        assertThat(sent.params().topLogprobs()).isEqualTo(10);
        assertThat(sent.body().get("prompt").asString()).isEqualTo(sent.prompt());
        assertThat(sent.body().get("temperature").asDouble()).isEqualTo(0.0);
        assertThat(sent.body().get("max_tokens").asInt()).isEqualTo(20);
        assertThat(sent.body().get("logprobs").asInt()).isEqualTo(10);
    }

    @Test
    void scoresTheFirstDecisionTokenFromLogprobs() {
        // the 8B first emits "\n\n", then the decision token
        List<TokenLogprob> logprobs = List.of(
                new TokenLogprob("\n\n", -0.001, List.of(new Alternative("\n\n", -0.001))),
                new TokenLogprob(
                        "unsafe",
                        Math.log(0.8),
                        List.of(new Alternative("unsafe", Math.log(0.8)), new Alternative("safe", Math.log(0.19)))),
                new TokenLogprob("\n", -0.01, List.of()),
                new TokenLogprob("S", -0.01, List.of()),
                new TokenLogprob("1", -0.01, List.of()));
        Verdict verdict = classifier(new ScriptedEngine("\n\nunsafe\nS1", logprobs), CATEGORIES)
                .classify(PROMPT)
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.OK);
        assertThat(verdict.score("unsafe")).isCloseTo(0.8, within(1e-9));
        assertThat(verdict.scores()).containsEntry("S1", 1.0).hasSize(2);
        assertThat(verdict.detail()).isNull();
        assertThat(verdict.version()).isEqualTo("lg3-8b-q8+" + CATEGORIES.fingerprint());
    }

    @Test
    void onlySafeListedGivesOneMinusItsProbability() {
        List<TokenLogprob> logprobs = List.of(new TokenLogprob("safe", Math.log(0.97), List.of()));
        Verdict verdict = classifier(new ScriptedEngine("safe", logprobs), CATEGORIES)
                .classify(PROMPT)
                .block();

        assertThat(verdict.score("unsafe")).isCloseTo(0.03, within(1e-9));
    }

    @Test
    void withoutLogprobsTheScoreComesFromTheTextAndTheDetailSaysSo() {
        Verdict verdict = classifier(new ScriptedEngine("unsafe\nS2,S14", null), CATEGORIES)
                .classify(GuardInput.response(List.of(ChatMessage.of(Role.USER, "q")), "a"))
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.OK);
        assertThat(verdict.scores())
                .containsEntry("unsafe", 1.0)
                .containsEntry("S2", 1.0)
                .containsEntry("S14", 1.0);
        assertThat(verdict.detail()).contains("no usable logprobs");
    }

    @Test
    void unparseableAnswerIsAnErrorVerdict() {
        Verdict verdict = classifier(new ScriptedEngine("I think it is fine", null), CATEGORIES)
                .classify(PROMPT)
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(verdict.scores()).isEmpty();
        assertThat(verdict.detail()).contains("not a Llama Guard assessment");
    }

    @Test
    void onlyExcludedCategoriesCountAsSafe() {
        LlamaGuardCategories tenant = CATEGORIES.excluding(Set.of(HazardCategory.S6));
        Verdict verdict = classifier(new ScriptedEngine("unsafe\nS6", null), tenant)
                .classify(PROMPT)
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.OK);
        assertThat(verdict.scores()).containsOnlyKeys("unsafe").containsEntry("unsafe", 0.0);
        assertThat(verdict.detail()).contains("excluded S6");
    }

    @Test
    void aTenantsCategoriesGiveItsOwnVersionAndPrompt() {
        ScriptedEngine engine = new ScriptedEngine("safe", null);
        LlamaGuardClassifier shared = classifier(engine, CATEGORIES);
        LlamaGuardClassifier tenant = shared.withCategories(CATEGORIES.excluding(Set.of(HazardCategory.S13)));

        tenant.classify(PROMPT).block();

        assertThat(tenant.version()).isNotEqualTo(shared.version()).startsWith("lg3-8b-q8+");
        assertThat(engine.requests.get(0).prompt())
                .doesNotContain("S13: Elections.")
                .contains("S14: Code Interpreter Abuse.");
    }

    @Test
    void engineFailureIsAnErrorVerdict() {
        ScriptedEngine engine =
                new ScriptedEngine(new InferenceException(InferenceException.Kind.OVERLOADED, "slots full"));
        Verdict verdict = classifier(engine, CATEGORIES).classify(PROMPT).block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(verdict.detail()).contains("OVERLOADED").contains("slots full");
    }

    @Test
    void aPromptWithoutUserTurnIsAnErrorVerdictWithoutCallingTheEngine() {
        ScriptedEngine engine = new ScriptedEngine("safe", null);
        Verdict verdict = classifier(engine, CATEGORIES)
                .classify(GuardInput.prompt(List.of(ChatMessage.of(Role.SYSTEM, "s"))))
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(engine.requests).isEmpty();
    }
}
