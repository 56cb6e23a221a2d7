package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.Errors;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Writes engine chunks as OpenAI server-sent events, each sent as soon as it is made. An error before the first
 * chunk propagates (nothing is committed yet, so the client gets a proper HTTP error); after it, the stream ends
 * with an error event and no {@code [DONE]}, never a silent truncation.
 */
public final class SseBody {

    /**
     * An SSE comment: clients ignore it (the SSE specification), but it commits the response headers and keeps
     * proxies and clients from timing out an idle connection while text is held back.
     */
    static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    /** Idle proxies commonly give up after 30 to 60 s; a comment every 15 s keeps well inside that. */
    public static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

    private SseBody() {}

    public static Flux<byte[]> events(
            Flux<StreamChunk> chunks, OpenAiResponses responses, boolean chat, boolean includeUsage) {
        return events(chunks, responses, chat, includeUsage, Mono.empty());
    }

    /**
     * As {@link #events(Flux, OpenAiResponses, boolean, boolean, Mono)}, but the response starts at once: unless
     * the chunks fail while being subscribed to, an SSE comment goes out first, so the status and headers leave
     * before the first token rather than with it (a hold-back window or a slow prompt no longer keeps the client
     * guessing), and another every {@code keepAlive} while the stream lasts. Errors after that, an engine that
     * turns out to be full included, end the stream with an error event in the OpenAI error shape.
     */
    public static Flux<byte[]> startedEvents(
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            boolean chat,
            boolean includeUsage,
            Mono<Void> beforeDone,
            Duration keepAlive) {
        return startedEvents(chunks, responses, chat, includeUsage, beforeDone, () -> null, keepAlive);
    }

    /**
     * As above; when the client asked for usage and the engine sent none, the usage chunk is written from
     * {@code ownCount} (the gateway's own count, read after {@code beforeDone}), so the client still gets one.
     */
    public static Flux<byte[]> startedEvents(
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            boolean chat,
            boolean includeUsage,
            Mono<Void> beforeDone,
            Supplier<Usage> ownCount,
            Duration keepAlive) {
        AtomicBoolean committed = new AtomicBoolean();
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<byte[]> body = events(chunks, responses, chat, includeUsage, beforeDone, ownCount, committed)
                .doFinally(s -> ended.tryEmitEmpty());
        // Subscribed after the body (merge subscribes in order), so a refusal at subscription comes first.
        Mono<byte[]> open = Mono.fromSupplier(() -> committed.compareAndSet(false, true) ? KEEP_ALIVE : null);
        Flux<byte[]> pings =
                Flux.interval(keepAlive, keepAlive).map(i -> KEEP_ALIVE).takeUntilOther(ended.asMono());
        return Flux.merge(body, open, pings);
    }

    /**
     * {@code beforeDone} runs after the last chunk and before {@code [DONE]}, e.g. to make the audit durable. Each
     * element holds the events one engine chunk makes (the first also announces the role), written as one buffer.
     */
    public static Flux<byte[]> events(
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            boolean chat,
            boolean includeUsage,
            Mono<Void> beforeDone) {
        return events(chunks, responses, chat, includeUsage, beforeDone, () -> null, new AtomicBoolean());
    }

    /** {@code committed} is set once anything was emitted (by this or by a comment sent beside it). */
    private static Flux<byte[]> events(
            Flux<StreamChunk> chunks,
            OpenAiResponses responses,
            boolean chat,
            boolean includeUsage,
            Mono<Void> beforeDone,
            Supplier<Usage> ownCount,
            AtomicBoolean committed) {
        AtomicBoolean usageSent = new AtomicBoolean();
        // Choices that have had their role event; handle runs one chunk at a time, so a plain BitSet will do.
        java.util.BitSet started = new java.util.BitSet();
        // handle, not a flattening operator: one chunk in, at most one buffer out, no queue and no inner
        // subscription per token
        Flux<byte[]> events = chunks.handle((chunk, sink) -> {
            byte[] role = null;
            if (!started.get(chunk.index())) {
                started.set(chunk.index());
                role = chat ? responses.roleChunk(chunk.index()) : null;
            }
            boolean hasContent = !chunk.text().isEmpty()
                    || !chunk.toolCalls().isEmpty()
                    || chunk.finishReason() != null
                    || chunk.logprobs() != null;
            byte[] content = hasContent ? responses.chunk(chunk, includeUsage) : null;
            byte[] usage = chunk.usage() != null && includeUsage ? responses.usageChunk(chunk.usage()) : null;
            if (usage != null) {
                usageSent.set(true);
            }
            byte[] out = concat(role, content, usage);
            if (out.length > 0) {
                committed.set(true);
                sink.next(out);
            }
        });
        return events.concatWith(beforeDone.then(Mono.fromSupplier(() -> {
                    Usage own = includeUsage && !usageSent.get() ? ownCount.get() : null;
                    return own == null
                            ? OpenAiResponses.done()
                            : concat(responses.usageChunk(own), OpenAiResponses.done());
                })))
                .onErrorResume(error -> {
                    // Claims the response for the error, or finds it committed: no comment can slip in between.
                    if (committed.compareAndSet(false, true)) {
                        return Flux.error(error);
                    }
                    ApiException api = Errors.toApi(error);
                    return Flux.just(OpenAiResponses.errorEvent(api));
                });
    }

    /** The parts that are not null, in order, in one array (the part itself when it is the only one). */
    private static byte[] concat(byte[]... parts) {
        int length = 0;
        byte[] only = null;
        int present = 0;
        for (byte[] part : parts) {
            if (part != null) {
                length += part.length;
                only = part;
                present++;
            }
        }
        if (present == 1) {
            return only;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            if (part != null) {
                System.arraycopy(part, 0, out, at, part.length);
                at += part.length;
            }
        }
        return out;
    }

    /**
     * Writes the events without asking for a flush after each one: reactor-netty writes every event to the channel
     * as it comes and flushes once it has none queued, so a lone event still leaves at once, while events that pile
     * up behind a busy event loop (tokens come faster than one write and flush each) leave in one write. That is
     * reactor-netty's behaviour (the gateway runs on nothing else); OpenAiClientTest's
     * firstChunkReachesTheClientBeforeTheUpstreamHasFinished fails if an event ever waits for the next one.
     */
    public static BodyInserter<Flux<byte[]>, ReactiveHttpOutputMessage> inserter(Flux<byte[]> events) {
        return (message, context) -> message.writeWith(events.map(message.bufferFactory()::wrap));
    }
}
