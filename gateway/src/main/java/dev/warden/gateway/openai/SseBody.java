package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.inference.StreamChunk;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes engine chunks as OpenAI server-sent events, flushing each one so tokens reach the client as they are
 * made. An error before the first chunk propagates (nothing is committed yet, so the client gets a proper HTTP
 * error); after it, the stream ends with an error event and no {@code [DONE]}, never a silent truncation.
 */
public final class SseBody {

    private SseBody() {
    }

    public static Flux<byte[]> events(Flux<StreamChunk> chunks, OpenAiResponses responses, boolean chat,
                                      boolean includeUsage) {
        return events(chunks, responses, chat, includeUsage, Mono.empty());
    }

    /** {@code beforeDone} runs after the last chunk and before {@code [DONE]}, e.g. to make the audit durable. */
    public static Flux<byte[]> events(Flux<StreamChunk> chunks, OpenAiResponses responses, boolean chat,
                                      boolean includeUsage, Mono<Void> beforeDone) {
        AtomicBoolean started = new AtomicBoolean();
        Flux<byte[]> events = chunks.concatMapIterable(chunk -> {
            java.util.List<byte[]> out = new java.util.ArrayList<>(3);
            if (started.compareAndSet(false, true) && chat) {
                out.add(responses.roleChunk(chunk.index()));
            }
            boolean hasContent = !chunk.text().isEmpty() || !chunk.toolCalls().isEmpty()
                    || chunk.finishReason() != null || chunk.logprobs() != null;
            if (hasContent) {
                out.add(responses.chunk(chunk, includeUsage));
            }
            if (chunk.usage() != null && includeUsage) {
                out.add(responses.usageChunk(chunk.usage()));
            }
            return out;
        });
        return events
                .concatWith(beforeDone.then(Mono.fromSupplier(OpenAiResponses::done)))
                .onErrorResume(error -> {
                    if (!started.get()) {
                        return Flux.error(error);
                    }
                    ApiException api = Errors.toApi(error);
                    return Flux.just(OpenAiResponses.errorEvent(api));
                });
    }

    public static BodyInserter<Flux<byte[]>, ReactiveHttpOutputMessage> inserter(Flux<byte[]> events) {
        return new BodyInserter<>() {
            @Override
            public Mono<Void> insert(ReactiveHttpOutputMessage message, Context context) {
                Flux<Publisher<DataBuffer>> flushed = events.map(bytes -> Mono.just(message.bufferFactory().wrap(bytes)));
                return message.writeAndFlushWith(flushed);
            }
        };
    }
}
