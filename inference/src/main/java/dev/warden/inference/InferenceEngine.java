package dev.warden.inference;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Serves configured models. Everything is lazy: work starts on subscription, and cancelling the subscription
 * stops the generation and frees what it holds (an in-process slot, an upstream connection).
 * Implementations never block the subscriber's thread: work runs on their own bounded executor (in-process) or
 * on non-blocking I/O (remote). When full they signal {@link InferenceException.Kind#OVERLOADED} at once rather
 * than queueing without bound. Failures they understand are signalled as {@link InferenceException}.
 */
public interface InferenceEngine extends AutoCloseable {

    /** A short label for logs, metrics and the audit record, e.g. {@code llama.cpp} or {@code remote}. */
    String kind();

    Mono<Generation> chat(ChatRequest request);

    /** Chunks in order; the last one carries the usage. */
    Flux<StreamChunk> streamChat(ChatRequest request);

    Mono<Generation> complete(CompletionRequest request);

    Flux<StreamChunk> streamCompletion(CompletionRequest request);

    @Override
    default void close() {}
}
