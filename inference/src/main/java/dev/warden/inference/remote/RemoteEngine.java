package dev.warden.inference.remote;

import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.InferenceException;
import dev.warden.inference.InferenceException.Kind;
import dev.warden.inference.StreamChunk;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Serves one model from OpenAI-compatible replicas (vLLM, llama.cpp's server, ...) over reactor-netty: no thread
 * of its own on the request path (the event loops are its owner's, see the constructors), one connection pool of its
 * own, one JSON mapper.
 *
 * <p>The upstream body is the client's body with {@code model} set to the upstream name (and, for streams,
 * {@code stream_options.include_usage} forced on). Replicas are used round-robin while healthy and while their
 * circuit is closed; a failure before the first chunk is retried on another replica ({@code retries} times),
 * a failure after it ends the stream with an {@link InferenceException}. Time limits apply to each attempt.
 * Cancelling a subscription closes its upstream connection.
 */
public final class RemoteEngine implements InferenceEngine {

    static final String CHAT_PATH = "/v1/chat/completions";
    static final String COMPLETION_PATH = "/v1/completions";
    static final String EMBEDDINGS_PATH = "/v1/embeddings";

    private final RemoteEngineSettings settings;
    private final ConnectionProvider connections;
    private final CircuitBreakerRegistry breakers;
    private final List<Replica> replicas;
    private final Failover failover;
    private final UpstreamBody bodies;
    private final Disposable healthChecks;
    /** The event loops this engine made for itself, null when its owner gave it theirs. */
    private final LoopResources ownLoops;

    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Runs on event loops of its own, which {@link #close()} releases: for an engine used on its own (a tool, a
     * test). An engine inside an application takes the application's loops ({@link #RemoteEngine(RemoteEngineSettings,
     * LoopResources)}).
     */
    public RemoteEngine(RemoteEngineSettings settings) {
        this(settings, LoopResources.create("warden-remote-" + settings.servedModel()), true);
    }

    /**
     * Runs on {@code loops}, which stay the caller's: it keeps them running until this engine is closed and disposes
     * them itself; {@link #close()} leaves them alone. Never Reactor Netty's global loops by default: whoever
     * disposes those (any Spring context that closes, with Spring's default resources) would take this engine's
     * connections, its name resolver and its pool down with them.
     */
    public RemoteEngine(RemoteEngineSettings settings, LoopResources loops) {
        this(settings, loops, false);
    }

    private RemoteEngine(RemoteEngineSettings settings, LoopResources loops, boolean ownLoops) {
        this.settings = settings;
        this.ownLoops = ownLoops ? loops : null;
        RemoteEngineSettings.Timeouts timeouts = settings.timeouts();
        this.connections = ConnectionProvider.builder("warden-remote-" + settings.servedModel())
                .maxConnections(settings.maxConnections())
                .pendingAcquireTimeout(timeouts.connect())
                // Below uvicorn's 5 s keep-alive (vLLM), so that we rarely pick a connection the server is closing.
                .maxIdleTime(Duration.ofSeconds(4))
                .build();
        // runOn also gives the client a name resolver on these loops instead of the global one
        HttpClient base = HttpClient.create(connections)
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
                .headers(h -> {
                    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                    if (settings.apiKey() != null) {
                        h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + settings.apiKey());
                    }
                });
        this.breakers = CircuitBreakerRegistry.of(breakerConfig(settings.breaker()));
        List<Replica> list = new ArrayList<>();
        for (int i = 0; i < settings.replicas().size(); i++) {
            String url = settings.replicas().get(i);
            list.add(new Replica(
                    i, url, base.baseUrl(url), breakers.circuitBreaker(settings.servedModel() + "@" + url)));
        }
        this.replicas = List.copyOf(list);
        Duration retryAfter = settings.health().enabled()
                ? settings.health().interval()
                : settings.breaker().waitInOpen();
        this.failover =
                new Failover(settings.servedModel(), new ReplicaRotation(replicas), settings.retries(), retryAfter);
        this.bodies = new UpstreamBody(settings.upstreamModel());
        this.healthChecks = settings.health().enabled() ? HealthProbe.start(replicas, settings.health()) : null;
    }

    @Override
    public String kind() {
        return "remote";
    }

    public RemoteEngineSettings settings() {
        return settings;
    }

    /** The replicas' circuit breakers, e.g. to bind Resilience4j's Micrometer metrics. */
    public CircuitBreakerRegistry circuitBreakers() {
        return breakers;
    }

    public List<ReplicaStatus> replicaStatus() {
        return replicas.stream()
                .map(r -> new ReplicaStatus(
                        r.baseUrl(), r.healthy(), r.breaker().getState().name(), r.available()))
                .toList();
    }

    @Override
    public Mono<Generation> chat(ChatRequest request) {
        return Mono.defer(() -> {
            byte[] body = bodies.chat(request, false);
            String model = served(request.model());
            return counted(failover.mono(replica -> whole(replica, CHAT_PATH, body, true, model)));
        });
    }

    @Override
    public Flux<StreamChunk> streamChat(ChatRequest request) {
        return Flux.defer(() -> {
            byte[] body = bodies.chat(request, true);
            return counted(failover.flux(replica -> stream(replica, CHAT_PATH, body, true)));
        });
    }

    @Override
    public Mono<Generation> complete(CompletionRequest request) {
        return Mono.defer(() -> {
            byte[] body = bodies.completion(request, false);
            String model = served(request.model());
            return counted(failover.mono(replica -> whole(replica, COMPLETION_PATH, body, false, model)));
        });
    }

    @Override
    public Flux<StreamChunk> streamCompletion(CompletionRequest request) {
        return Flux.defer(() -> {
            byte[] body = bodies.completion(request, true);
            return counted(failover.flux(replica -> stream(replica, COMPLETION_PATH, body, false)));
        });
    }

    /** Generations in flight now, waiting for a pooled connection or running upstream, e.g. for a gauge. */
    public int activeRequests() {
        return active.get();
    }

    private <T> Mono<T> counted(Mono<T> generation) {
        return generation.doOnSubscribe(s -> active.incrementAndGet()).doFinally(s -> active.decrementAndGet());
    }

    private <T> Flux<T> counted(Flux<T> generation) {
        return generation.doOnSubscribe(s -> active.incrementAndGet()).doFinally(s -> active.decrementAndGet());
    }

    /**
     * {@code POST /v1/embeddings} with {@code body} (its {@code model} set to the upstream name), through the same
     * replicas, failover and time limits as a whole generation; the upstream's JSON answer as it came.
     */
    public Mono<byte[]> embeddings(tools.jackson.databind.node.ObjectNode body) {
        return Mono.defer(() -> {
            tools.jackson.databind.node.ObjectNode upstream = body.deepCopy();
            upstream.put("model", settings.upstreamModel() != null ? settings.upstreamModel() : settings.servedModel());
            byte[] bytes = OpenAiWire.JSON.writeValueAsBytes(upstream);
            return failover.mono(replica -> raw(replica, EMBEDDINGS_PATH, bytes));
        });
    }

    private Mono<byte[]> raw(Replica replica, String path, byte[] body) {
        AttemptDeadline deadline =
                AttemptDeadline.whole(replica, settings.timeouts().response());
        return replica.post(path)
                .send((req, out) ->
                        out.withConnection(deadline::bind).send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body))))
                .responseSingle((res, content) -> res.status().code() == 200
                        ? content.asByteArray()
                        : content.asString()
                                .defaultIfEmpty("")
                                .flatMap(text -> Mono.error(failure(replica, res, text))))
                .switchIfEmpty(Mono.error(
                        () -> new InferenceException(Kind.UPSTREAM_ERROR, replica.label() + " sent an empty reply")))
                .onErrorMap(deadline::explain)
                .doFinally(signal -> deadline.stop());
    }

    @Override
    public void close() {
        if (healthChecks != null) {
            healthChecks.dispose();
        }
        // Never blocks: close may run on any thread. The pool closes its connections on the loops, so loops last.
        Mono<Void> released = connections.disposeLater();
        if (ownLoops != null) {
            released = released.then(ownLoops.disposeLater());
        }
        released.subscribe();
    }

    private Mono<Generation> whole(Replica replica, String path, byte[] body, boolean chat, String model) {
        AttemptDeadline deadline =
                AttemptDeadline.whole(replica, settings.timeouts().response());
        return replica.post(path)
                .send((req, out) ->
                        out.withConnection(deadline::bind).send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body))))
                .responseSingle((res, content) -> res.status().code() == 200
                        ? content.asByteArray().map(bytes -> GenerationReader.read(bytes, chat, model))
                        : content.asString()
                                .defaultIfEmpty("")
                                .flatMap(text -> Mono.error(failure(replica, res, text))))
                .switchIfEmpty(Mono.error(
                        () -> new InferenceException(Kind.UPSTREAM_ERROR, replica.label() + " sent an empty reply")))
                .onErrorMap(deadline::explain)
                .doFinally(signal -> deadline.stop());
    }

    private Flux<StreamChunk> stream(Replica replica, String path, byte[] body, boolean chat) {
        SseEventDecoder decoder = new SseEventDecoder();
        StreamAssembler assembler = new StreamAssembler(chat);
        AttemptDeadline deadline = AttemptDeadline.stream(
                replica, settings.timeouts().firstToken(), settings.timeouts().idleGap());
        return replica.post(path)
                .send((req, out) ->
                        out.withConnection(deadline::bind).send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body))))
                .response((res, content) -> res.status().code() == 200
                        ? events(content, decoder)
                        : content.aggregate()
                                .asString()
                                .defaultIfEmpty("")
                                .flatMapMany(text -> Flux.<String>error(failure(replica, res, text))))
                // Time limits watch upstream events, not emitted chunks: tool-call deltas emit nothing for a while.
                .doOnNext(event -> deadline.onEvent())
                .onErrorMap(deadline::explain)
                .doFinally(signal -> deadline.stop())
                .concatMapIterable(assembler::onEvent)
                .concatWith(Flux.defer(() -> Flux.fromIterable(assembler.end())));
    }

    private static Flux<String> events(ByteBufFlux content, SseEventDecoder decoder) {
        return content.concatMapIterable(decoder::feed)
                .concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish())));
    }

    private static InferenceException failure(Replica replica, HttpClientResponse res, String body) {
        return UpstreamErrors.status(
                replica, res.status().code(), body, res.responseHeaders().get(HttpHeaderNames.RETRY_AFTER));
    }

    private String served(String requested) {
        return requested != null ? requested : settings.servedModel();
    }

    private static CircuitBreakerConfig breakerConfig(RemoteEngineSettings.Breaker b) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.slidingWindowCalls())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(b.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                // Open replicas are skipped by the rotation, so nothing would ever ask them to go half-open.
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(UpstreamErrors::countsAgainstReplica)
                // A long generation is not a slow call: time limits already cover slowness.
                .slowCallDurationThreshold(Duration.ofDays(1))
                .writableStackTraceEnabled(false)
                .build();
    }
}
