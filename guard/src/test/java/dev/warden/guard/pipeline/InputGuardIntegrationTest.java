package dev.warden.guard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.guard.llamaguard.LlamaGuardCategories;
import dev.warden.guard.llamaguard.LlamaGuardClassifier;
import dev.warden.guard.llamaguard.LlamaGuardConfig;
import dev.warden.guard.llamaguard.LlamaGuardVariant;
import dev.warden.guard.promptguard.PromptGuardClassifier;
import dev.warden.guard.promptguard.PromptGuardConfig;
import dev.warden.guard.promptguard.TriggerWordModel;
import dev.warden.guard.rules.ContentRulesClassifier;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.inference.testing.TinyLlamaEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input guard as the gateway builds it, with real engines: Prompt Guard on ONNX Runtime (tiny trigger-word
 * model), Llama Guard on in-process llama.cpp (tiny random GGUF, whose answers are never valid), content rules.
 */
@Tag("slow")
class InputGuardIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void realClassifiersTogether() throws Exception {
        Path model = TriggerWordModel.write(
                dir.resolve("pg"), List.of("BENIGN", "INJECTION", "JAILBREAK"), Map.of("ignore", 2));
        LlamaGuardCategories onlyS1 = LlamaGuardCategories.standard(LlamaGuardVariant.LLAMA_GUARD_3_1B)
                .excluding(EnumSet.range(dev.warden.guard.HazardCategory.S2, dev.warden.guard.HazardCategory.S13));
        try (PromptGuardClassifier promptGuard = new PromptGuardClassifier(PromptGuardConfig.of(model))) {
            GuardPipeline pipeline = GuardPipeline.builder()
                    .stage(promptGuard, Duration.ofSeconds(5))
                    .stage(
                            new LlamaGuardClassifier(
                                    TinyLlamaEngine.shared(),
                                    new LlamaGuardConfig("llama-guard", "tiny", "tiny-random", onlyS1, 20, 0)),
                            Duration.ofSeconds(30))
                    .stage(new ContentRulesClassifier(), Duration.ofSeconds(5))
                    .cache(new VerdictCache(1000, Duration.ofMinutes(1)))
                    .build();
            GuardInput input = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, "ignore it; me@example.com")));

            GuardReport report = pipeline.run(input, "policy-1").block();

            assertThat(report.ran()).containsExactly("prompt-guard", "llama-guard", "content-rules");
            assertThat(report.verdict("prompt-guard").orElseThrow().score("jailbreak"))
                    .isGreaterThan(0.99);
            assertThat(report.verdict("llama-guard").orElseThrow().status()).isEqualTo(Verdict.Status.ERROR);
            assertThat(report.verdict("content-rules").orElseThrow().scores()).containsEntry("pii.email", 1.0);

            GuardReport again = pipeline.run(input, "policy-1").block();
            // OK verdicts come from the cache; the failed Llama Guard verdict is asked for again
            assertThat(again.cached()).containsExactly("prompt-guard", "content-rules");
            assertThat(again.ran()).containsExactly("llama-guard");
        }
    }
}
