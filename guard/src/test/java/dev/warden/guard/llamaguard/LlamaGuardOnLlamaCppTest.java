package dev.warden.guard.llamaguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.Role;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.testing.TinyLlamaEngine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Llama Guard on the real in-process llama.cpp engine with the tiny random GGUF. The random model cannot answer
 * "safe", so the classifier must turn its answer into an ERROR verdict; the prompt it sent must be the spec's.
 */
@Tag("slow")
class LlamaGuardOnLlamaCppTest {

    /** Passes every call to the real engine and keeps the completion requests. */
    static final class Recording implements InferenceEngine {
        final InferenceEngine engine;
        final List<CompletionRequest> requests = new CopyOnWriteArrayList<>();
        final List<Generation> generations = new CopyOnWriteArrayList<>();

        Recording(InferenceEngine engine) {
            this.engine = engine;
        }

        @Override
        public String kind() {
            return engine.kind();
        }

        @Override
        public Mono<Generation> complete(CompletionRequest request) {
            requests.add(request);
            return engine.complete(request).doOnNext(generations::add);
        }

        @Override
        public Mono<Generation> chat(ChatRequest request) {
            return engine.chat(request);
        }

        @Override
        public Flux<StreamChunk> streamChat(ChatRequest request) {
            return engine.streamChat(request);
        }

        @Override
        public Flux<StreamChunk> streamCompletion(CompletionRequest request) {
            return engine.streamCompletion(request);
        }
    }

    private static final GuardInput PROMPT =
            GuardInput.prompt(List.of(ChatMessage.of(Role.SYSTEM, "Be brief."), ChatMessage.of(Role.USER, " Bread? ")));

    /** The tiny model's context is 512 byte-level tokens: one category keeps the prompt inside it. */
    private static final LlamaGuardCategories ONLY_S1 = LlamaGuardCategories.standard(
                    LlamaGuardVariant.LLAMA_GUARD_3_1B)
            .excluding(
                    java.util.EnumSet.range(dev.warden.guard.HazardCategory.S2, dev.warden.guard.HazardCategory.S13));

    private static final String EXPECTED = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
            + "Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.\n\n"
            + "<BEGIN UNSAFE CONTENT CATEGORIES>\n"
            + "S1: Violent Crimes.\n"
            + "<END UNSAFE CONTENT CATEGORIES>\n\n"
            + "<BEGIN CONVERSATION>\n\n"
            + "User: Bread?\n\n"
            + "<END CONVERSATION>\n\n"
            + "Provide your safety assessment for ONLY THE LAST User message in the above conversation:\n"
            + " - First line must read 'safe' or 'unsafe'.\n"
            + " - If unsafe, a second line must include a comma-separated list of violated categories.<|eot_id|><|start_header_id|>assistant<|end_header_id|>";

    @Test
    void randomModelOutputBecomesAnErrorVerdictAndThePromptIsByteExact() {
        Recording engine = new Recording(TinyLlamaEngine.shared());
        LlamaGuardClassifier classifier =
                new LlamaGuardClassifier(engine, LlamaGuardConfig.of("tiny", "tiny-random", ONLY_S1));

        Verdict first = classifier.classify(PROMPT).block();
        Verdict second = classifier.classify(PROMPT).block();

        assertThat(first.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(first.detail()).contains("not a Llama Guard assessment");
        assertThat(first.scores()).isEmpty();
        assertThat(second.status()).isEqualTo(Verdict.Status.ERROR);
        // the in-process engine serves logprobs (exact next-token distributions), so every call asks for them
        assertThat(engine.requests).extracting(r -> r.params().logprobs()).containsExactly(true, true);
        assertThat(engine.requests).extracting(CompletionRequest::prompt).containsOnly(EXPECTED);
        assertThat(engine.generations).hasSize(2);
        assertThat(engine.generations.get(0).usage().completionTokens()).isBetween(1, 20);
    }
}
