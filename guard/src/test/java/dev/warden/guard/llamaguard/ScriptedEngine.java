package dev.warden.guard.llamaguard;

import dev.warden.inference.ChatRequest;
import dev.warden.inference.Choice;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.Usage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Injects a model's output: answers every completion with the scripted text and logprobs, and records requests. */
final class ScriptedEngine implements InferenceEngine {

    final List<CompletionRequest> requests = new CopyOnWriteArrayList<>();
    private final String text;
    private final List<TokenLogprob> logprobs;
    private final RuntimeException failure;

    ScriptedEngine(String text, List<TokenLogprob> logprobs) {
        this.text = text;
        this.logprobs = logprobs;
        this.failure = null;
    }

    ScriptedEngine(RuntimeException failure) {
        this.text = null;
        this.logprobs = null;
        this.failure = failure;
    }

    @Override
    public String kind() {
        return "scripted";
    }

    @Override
    public Mono<Generation> complete(CompletionRequest request) {
        return Mono.defer(() -> {
            requests.add(request);
            if (failure != null) {
                return Mono.error(failure);
            }
            return Mono.just(new Generation(
                    request.model(),
                    List.of(new Choice(0, text, List.of(), FinishReason.STOP, logprobs)),
                    new Usage(100, 3)));
        });
    }

    @Override
    public Mono<Generation> chat(ChatRequest request) {
        return Mono.error(new UnsupportedOperationException("Llama Guard uses completions"));
    }

    @Override
    public Flux<StreamChunk> streamChat(ChatRequest request) {
        return Flux.error(new UnsupportedOperationException());
    }

    @Override
    public Flux<StreamChunk> streamCompletion(CompletionRequest request) {
        return Flux.error(new UnsupportedOperationException());
    }
}
