package dev.warden.inference.llamacpp;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.Choice;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.InferenceException;
import dev.warden.inference.InferenceException.Kind;
import dev.warden.inference.ModelDescriptor;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import dev.warden.inference.chat.Llama31ChatFormat;
import dev.warden.inference.chat.Llama31ToolCallParser;
import dev.warden.inference.chat.SegmentedPrompt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * Llama 3.1 in process: llama.cpp (de.kherud:llama) on one GGUF file, loaded once.
 *
 * <p>Generations run on a dedicated executor with one thread per llama.cpp slot and a bounded queue in front;
 * when both are full a subscription fails at once with {@link Kind#OVERLOADED}. The subscriber's thread never
 * calls native code. Prompts reach llama.cpp as token ids from the model's tokenizer (see {@link PromptEncoder}
 * for how client text is kept from becoming control tokens), so prompt counts are exact. Completion tokens are
 * counted as llama.cpp reports them, one result per token, the end-of-turn token included; a token that ends
 * inside a UTF-8 character is reported together with the next one, so such text counts one token short.
 *
 * <p>Stop strings are found here (not in llama.cpp) so that the finish reason is known; generation stops on the
 * model's end-of-generation tokens ({@code <|eot_id|>}, {@code <|eom_id|>}, EOS). Cancelling a subscription
 * stops the native generation after the token in flight and frees the slot.
 *
 * <p>Log probabilities: the binding's n_probs crashes the JVM (llama.cpp b4916 renamed the fields its JNI code
 * reads), so requests with {@code logprobs} are generated differently: through llama.cpp's C API
 * ({@link NextTokenProbabilities}, one extra context created on first use), sampling in Java ({@link TokenSampler})
 * from the exact distribution of every step. The logprobs reported are the model's (temperature 1), as vLLM's are.
 * That path has one context, so such requests take turns with each other (they still hold a slot each).
 */
public final class LlamaCppEngine implements InferenceEngine {

    private static final Logger log = LoggerFactory.getLogger(LlamaCppEngine.class);
    private static final Logger nativeLog = LoggerFactory.getLogger("llama.cpp");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final int MAX_TOP_LOGPROBS = 20;

    private final LlamaCppSettings settings;
    private final Llama31ChatFormat chatFormat;
    private final LlamaModel model;
    private final PromptEncoder encoder;
    private final ThreadPoolExecutor executor;
    private final int slotContext;
    private volatile NextTokenProbabilities probabilities;
    private final Semaphore admissions;

    public LlamaCppEngine(LlamaCppSettings settings) {
        this(settings, new Llama31ChatFormat());
    }

    public LlamaCppEngine(LlamaCppSettings settings, Llama31ChatFormat chatFormat) {
        this.settings = settings;
        this.chatFormat = chatFormat;
        GgufMetadata metadata;
        try {
            metadata = GgufMetadata.read(settings.modelPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GGUF model " + settings.modelPath(), e);
        }
        int trained = metadata.contextLength();
        this.slotContext = settings.contextLength() > 0 ? settings.contextLength() : trained > 0 ? trained : 4096;
        if ((long) slotContext * settings.parallelSlots() > 65_536) {
            // Llama 3.1 is trained on 131072 tokens: its whole context per slot costs gigabytes of KV cache.
            log.warn(
                    "llama.cpp context of {} tokens x {} slot(s): the KV cache will be large; set contextLength",
                    slotContext,
                    settings.parallelSlots());
        }

        NativeLibrary.prepare();
        ModelParameters params = new ModelParameters()
                .setModel(settings.modelPath().toAbsolutePath().toString())
                .setCtxSize(slotContext * settings.parallelSlots())
                .setParallel(settings.parallelSlots());
        if (settings.threads() > 0) {
            params.setThreads(settings.threads()).setThreadsBatch(settings.threads());
        }
        long start = System.nanoTime();
        this.model = new LlamaModel(params);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
            switch (level) {
                case ERROR -> nativeLog.error(message.strip());
                case WARN -> nativeLog.warn(message.strip());
                default -> nativeLog.debug(message.strip());
            }
        });
        this.encoder = new PromptEncoder(model);
        // The semaphore, not the executor's queue, bounds admission: a bounded work queue would also count tasks
        // that idle threads have not picked up yet, and reject bursts below slots + queue.
        this.admissions = new Semaphore(settings.parallelSlots() + settings.queueCapacity());
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                settings.parallelSlots(),
                settings.parallelSlots(),
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "llama-cpp-slot-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        log.info(
                "llama.cpp loaded {} in {} ms: {} slot(s) of {} tokens, queue {}",
                settings.modelPath(),
                (System.nanoTime() - start) / 1_000_000,
                settings.parallelSlots(),
                slotContext,
                settings.queueCapacity());
    }

    @Override
    public String kind() {
        return "llama.cpp";
    }

    /** Tokens of context each generation has (prompt plus completion). */
    public int contextLength() {
        return slotContext;
    }

    public LlamaCppSettings settings() {
        return settings;
    }

    /** This engine's model as the gateway lists it. */
    public ModelDescriptor descriptor(String servedName, String licence) {
        return new ModelDescriptor(servedName, kind(), slotContext, licence);
    }

    /** Generations running now (at most the slot count), e.g. for a gauge. */
    public int activeGenerations() {
        return executor.getActiveCount();
    }

    /** Requests waiting for a slot, e.g. for a gauge. */
    public int queuedRequests() {
        return executor.getQueue().size();
    }

    PromptEncoder encoder() {
        return encoder;
    }

    @Override
    public Mono<Generation> chat(ChatRequest request) {
        return collect(request.model(), streamChat(request));
    }

    @Override
    public Flux<StreamChunk> streamChat(ChatRequest request) {
        return Flux.defer(() -> {
            SegmentedPrompt prompt = chatFormat.render(request.messages(), request.tools());
            return run(new Job(
                    e -> e.encode(prompt), request.params(), !request.tools().isEmpty()));
        });
    }

    @Override
    public Mono<Generation> complete(CompletionRequest request) {
        return collect(request.model(), streamCompletion(request));
    }

    @Override
    public Flux<StreamChunk> streamCompletion(CompletionRequest request) {
        return Flux.defer(() -> run(new Job(e -> e.encodeRaw(request.prompt()), request.params(), false)));
    }

    /**
     * Completes a prompt built in segments, e.g. a Llama Guard prompt with user text in it: control segments
     * become special tokens, text segments never do.
     */
    public Flux<StreamChunk> streamCompletion(SegmentedPrompt prompt, SamplingParams params) {
        return Flux.defer(() -> run(new Job(e -> e.encode(prompt), params, false)));
    }

    public Mono<Generation> complete(String model, SegmentedPrompt prompt, SamplingParams params) {
        return collect(model, streamCompletion(prompt, params));
    }

    /** Counts the tokens of a chat prompt as this engine would send it (runs on the engine's executor). */
    public Mono<Integer> countPromptTokens(ChatRequest request) {
        return Mono.fromCallable(() -> encoder.encode(chatFormat.render(request.messages(), request.tools())).length)
                .subscribeOn(reactor.core.scheduler.Schedulers.fromExecutor(executor));
    }

    /** The exact next-token distribution of this engine's model, created on first use (one more context). */
    public NextTokenProbabilities probabilities() {
        NextTokenProbabilities p = probabilities;
        if (p == null) {
            synchronized (this) {
                p = probabilities;
                if (p == null) {
                    p = new NextTokenProbabilities(settings.modelPath(), slotContext, settings.threads());
                    probabilities = p;
                }
            }
        }
        return p;
    }

    @Override
    public void close() {
        if (probabilities != null) {
            probabilities.close();
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Leaks native memory and a thread in binding 4.2.0, so engines should live as long as the process.
        model.close();
    }

    private record Job(Function<PromptEncoder, int[]> prompt, SamplingParams params, boolean toolCalls) {}

    private Flux<StreamChunk> run(Job job) {
        Integer top = job.params().topLogprobs();
        if (top != null && (top < 0 || top > MAX_TOP_LOGPROBS)) {
            return Flux.error(new InferenceException(
                    Kind.INVALID_REQUEST, "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS));
        }
        Integer maxTokens = job.params().maxTokens();
        if (maxTokens != null && maxTokens < 1) {
            return Flux.error(new InferenceException(Kind.INVALID_REQUEST, "max_tokens must be at least 1"));
        }
        return Flux.create(
                sink -> {
                    if (!admissions.tryAcquire()) {
                        sink.error(new InferenceException(
                                Kind.OVERLOADED,
                                "all " + settings.parallelSlots() + " llama.cpp slots are busy and "
                                        + settings.queueCapacity() + " requests are waiting",
                                RETRY_AFTER,
                                null));
                        return;
                    }
                    AtomicBoolean cancelled = new AtomicBoolean();
                    AtomicBoolean released = new AtomicBoolean();
                    Runnable release = () -> {
                        if (released.compareAndSet(false, true)) {
                            admissions.release();
                        }
                    };
                    FutureTask<Void> task = new FutureTask<>(
                            () -> {
                                try {
                                    generate(job, sink, cancelled);
                                } finally {
                                    release.run();
                                }
                            },
                            null);
                    sink.onDispose(() -> {
                        cancelled.set(true);
                        if (executor.remove(task)) {
                            release.run();
                        }
                    });
                    try {
                        executor.execute(task);
                    } catch (RejectedExecutionException e) {
                        release.run();
                        sink.error(new InferenceException(Kind.UNAVAILABLE, "the llama.cpp engine is closed"));
                    }
                },
                FluxSink.OverflowStrategy.BUFFER);
    }

    /** Runs on a slot thread. */
    private void generate(Job job, FluxSink<StreamChunk> sink, AtomicBoolean cancelled) {
        try {
            int[] prompt = job.prompt().apply(encoder);
            if (prompt.length >= slotContext) {
                throw new InferenceException(
                        Kind.INVALID_REQUEST,
                        "the prompt has " + prompt.length + " tokens but the context holds " + slotContext);
            }
            SamplingParams p = job.params();
            int requested = p.maxTokens() != null ? p.maxTokens() : settings.defaultMaxTokens();
            int maxTokens = Math.min(requested, slotContext - prompt.length);
            int completionTokens = 0;
            for (int index = 0; index < p.n() && !cancelled.get(); index++) {
                completionTokens += p.logprobs()
                        ? generateChoiceWithLogprobs(index, prompt, maxTokens, job, sink, cancelled)
                        : generateChoice(index, prompt, maxTokens, job, sink, cancelled);
            }
            if (!cancelled.get()) {
                sink.next(StreamChunk.usage(new Usage(prompt.length, completionTokens)));
                sink.complete();
            }
        } catch (InferenceException e) {
            sink.error(e);
        } catch (RuntimeException e) {
            log.warn("llama.cpp generation failed", e);
            sink.error(new InferenceException(
                    Kind.UPSTREAM_ERROR, "llama.cpp generation failed: " + e.getMessage(), null, e));
        }
    }

    /** Generates one choice and returns the tokens it took. */
    private int generateChoice(
            int index, int[] prompt, int maxTokens, Job job, FluxSink<StreamChunk> sink, AtomicBoolean cancelled) {
        SamplingParams p = job.params();
        InferenceParameters params = new InferenceParameters("")
                .setNPredict(maxTokens)
                .setTemperature(p.temperature() != null ? p.temperature().floatValue() : 1.0f)
                .setTopP(p.topP() != null ? p.topP().floatValue() : 1.0f)
                // OpenAI semantics: only temperature and top_p shape sampling; llama.cpp's top_k 40 and min_p 0.05
                // defaults would otherwise apply as well.
                .setTopK(0)
                .setMinP(0f);
        if (p.seed() != null) {
            params.setSeed((int) ((p.seed() + index) & 0x7fffffff));
        }
        TokenPrompt.set(params, prompt);

        ChoiceOutput out = new ChoiceOutput(index, job.toolCalls(), sink);
        StopStrings stops = new StopStrings(p.stop());
        LlamaIterator tokens = model.generate(params).iterator();
        int generated = 0;
        while (tokens.hasNext()) {
            LlamaOutput next = tokens.next();
            boolean last = !tokens.hasNext();
            if (!last) {
                generated++;
            }
            out.text(stops.offer(next.text), null);
            if (stops.stopped() || cancelled.get()) {
                if (!last) {
                    // Only from this thread: the binding's receive would block forever on a task cancelled
                    // while it waits.
                    tokens.cancel();
                }
                break;
            }
        }
        if (cancelled.get()) {
            return generated;
        }
        if (!stops.stopped()) {
            out.text(stops.flush(), null);
        }
        out.finish(stops.stopped() || generated < maxTokens ? FinishReason.STOP : FinishReason.LENGTH);
        return generated;
    }

    /** Generates one choice through the C API, sampling here, with each token's log probability. */
    private int generateChoiceWithLogprobs(
            int index, int[] prompt, int maxTokens, Job job, FluxSink<StreamChunk> sink, AtomicBoolean cancelled) {
        SamplingParams p = job.params();
        NextTokenProbabilities model = probabilities();
        int top = p.topLogprobs() == null ? 0 : p.topLogprobs();
        TokenSampler sampler = new TokenSampler(p.temperature(), p.topP(), p.seed() == null ? null : p.seed() + index);
        ChoiceOutput out = new ChoiceOutput(index, job.toolCalls(), sink);
        StopStrings stops = new StopStrings(p.stop());
        Utf8Assembler utf8 = new Utf8Assembler();
        int[] generated = {0};
        boolean[] ended = {false};
        model.generate(prompt, d -> {
            if (cancelled.get() || stops.stopped() || generated[0] >= maxTokens) {
                return -1;
            }
            int token = sampler.sample(d.probabilities());
            generated[0]++;
            if (model.isEndOfGeneration(token)) {
                ended[0] = true;
                return -1;
            }
            List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
            for (int alt : top > 0 ? d.top(top) : new int[0]) {
                alternatives.add(new TokenLogprob.Alternative(tokenText(model, alt), d.logprob(alt)));
            }
            TokenLogprob logprob = new TokenLogprob(tokenText(model, token), d.logprob(token), alternatives);
            out.text(stops.offer(utf8.append(model.pieceBytes(token, false))), logprob);
            return token;
        });
        if (cancelled.get()) {
            return generated[0];
        }
        if (!stops.stopped()) {
            out.text(stops.offer(utf8.flush()), null);
            out.text(stops.stopped() ? "" : stops.flush(), null);
        }
        boolean length = !stops.stopped() && !ended[0];
        out.finish(length ? FinishReason.LENGTH : FinishReason.STOP);
        return generated[0];
    }

    private static String tokenText(NextTokenProbabilities model, int token) {
        return new String(model.pieceBytes(token, false), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Sends one choice's text, holding it back while it may still turn out to be a tool call. Log probabilities
     * go out with the next text sent (or the finish chunk).
     */
    static final class ChoiceOutput {
        private final int index;
        private final FluxSink<StreamChunk> sink;
        private final StringBuilder held;
        private final List<TokenLogprob> heldLogprobs = new ArrayList<>();
        private boolean holding;

        ChoiceOutput(int index, boolean toolCalls, FluxSink<StreamChunk> sink) {
            this.index = index;
            this.sink = sink;
            this.holding = toolCalls;
            this.held = new StringBuilder();
        }

        void text(String delta, TokenLogprob logprob) {
            if (logprob != null) {
                heldLogprobs.add(logprob);
            }
            if (holding) {
                held.append(delta);
                if (!Llama31ToolCallParser.mayBeToolCall(held.toString())) {
                    holding = false;
                    send(held.toString());
                }
            } else {
                send(delta);
            }
        }

        void finish(FinishReason reason) {
            if (holding) {
                Llama31ToolCallParser.ParsedReply reply = Llama31ToolCallParser.parse(held.toString());
                if (reply.hasToolCalls()) {
                    sink.next(new StreamChunk(
                            index, "", reply.toolCalls(), FinishReason.TOOL_CALLS, takeLogprobs(), null));
                    return;
                }
                send(held.toString());
            }
            sink.next(new StreamChunk(index, "", List.of(), reason, takeLogprobs(), null));
        }

        private void send(String text) {
            if (!text.isEmpty()) {
                sink.next(new StreamChunk(index, text, List.of(), null, takeLogprobs(), null));
            }
        }

        private List<TokenLogprob> takeLogprobs() {
            if (heldLogprobs.isEmpty()) {
                return null;
            }
            List<TokenLogprob> out = List.copyOf(heldLogprobs);
            heldLogprobs.clear();
            return out;
        }
    }

    private static Mono<Generation> collect(String model, Flux<StreamChunk> chunks) {
        return chunks.collectList().map(list -> {
            TreeMap<Integer, StringBuilder> texts = new TreeMap<>();
            TreeMap<Integer, List<ToolCall>> calls = new TreeMap<>();
            TreeMap<Integer, FinishReason> reasons = new TreeMap<>();
            TreeMap<Integer, List<TokenLogprob>> logprobs = new TreeMap<>();
            Usage usage = null;
            for (StreamChunk c : list) {
                if (c.usage() != null) {
                    usage = c.usage();
                    continue;
                }
                texts.computeIfAbsent(c.index(), i -> new StringBuilder()).append(c.text());
                calls.computeIfAbsent(c.index(), i -> new ArrayList<>()).addAll(c.toolCalls());
                if (c.finishReason() != null) {
                    reasons.put(c.index(), c.finishReason());
                }
                if (c.logprobs() != null) {
                    logprobs.computeIfAbsent(c.index(), i -> new ArrayList<>()).addAll(c.logprobs());
                }
            }
            List<Choice> choices = new ArrayList<>();
            for (Integer i : reasons.keySet()) {
                choices.add(new Choice(
                        i,
                        texts.getOrDefault(i, new StringBuilder()).toString(),
                        calls.getOrDefault(i, List.of()),
                        reasons.get(i),
                        logprobs.get(i)));
            }
            return new Generation(model, choices, usage);
        });
    }
}
