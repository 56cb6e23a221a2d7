package dev.warden.guard.embedded;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * The one MiniLM pass that both embedded heads read. A text is encoded at most once while cached: finished
 * encodings are cached by tenant and SHA-256 of the text (a conversation's earlier turns, re-sent with every new
 * turn, are not encoded again), and an encoding in progress is shared, so when the attack head and the hazard head
 * ask for the same user turn at the same time the model runs once. The cache is per tenant: a shared one would let
 * a tenant tell, by timing, whether another tenant had sent a text.
 * <p>
 * The model runs in the {@link EncodingQueue}: concurrent requests are batched into shared ONNX runs and get fair
 * shares of the encoder by tenant and by request (from the {@link EncoderCaller} in the Reactor context). An
 * encoding is cancelled, and its queued windows dropped, when every caller waiting for it has cancelled (a guard
 * deadline passed, the client went away). A full queue fails the call with {@link EncoderBusyException}, which the
 * classifiers turn into an ERROR verdict for the tenant's fail mode.
 */
public final class SharedEncoder implements AutoCloseable {

    /** Texts up to this many characters are tokenised on the caller's thread (well under a millisecond). */
    private static final int INLINE_TOKENISE_CHARS = 4096;

    private final SentenceEncoder encoder;
    private final EncodingQueue queue;
    private final ThreadPoolExecutor tokenising;
    private final Cache<String, float[][]> cache;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong modelRuns = new AtomicLong();
    /** Closing twice is harmless: heads that fail to load close the encoder, and so does its owner afterwards. */
    private final AtomicBoolean closed = new AtomicBoolean();

    public SharedEncoder(SentenceEncoder encoder, EncodingQueue.Settings settings, long cachedWindows) {
        this.encoder = encoder;
        this.queue = new EncodingQueue(encoder::embedWindows, settings, "minilm-encoder");
        AtomicInteger counter = new AtomicInteger();
        // long texts are tokenised off the caller's thread (a Netty event loop must not spend 50 ms on a 600 KB
        // request); bounded like the encoder queue, and refused the same way when full
        this.tokenising = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "minilm-tokenizer-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                (r, executor) -> {
                    throw new EncoderBusyException("the tokenizer queue is full");
                });
        // weighed by windows: a 64-window text holds 64 vectors (96 KB), a short prompt one
        this.cache = Caffeine.newBuilder()
                .maximumWeight(cachedWindows)
                .weigher((String key, float[][] vectors) -> vectors.length)
                .executor(Runnable::run)
                .build();
    }

    /**
     * Sized for this project's 2-core host: one batch runner whose ONNX runs use both cores (measured in
     * {@code GuardCapacityBenchmark}), the queue's default shares, 16,384 cached windows (24 MB).
     */
    public static SharedEncoder createDefault() {
        return new SharedEncoder(
                new SentenceEncoder(Math.min(2, Runtime.getRuntime().availableProcessors())),
                EncodingQueue.Settings.defaults(),
                16_384);
    }

    /** Window embeddings of the text, computed at most once while cached. Lazy: nothing runs until subscribed. */
    public Mono<float[][]> embed(String text) {
        return embed(text, false);
    }

    /** Passage embeddings (short windows) of third-party content, for the indirect-injection score. */
    public Mono<float[][]> embedPassages(String text) {
        return embed(text, true);
    }

    /** Blocking variant for offline tools (training, evaluation); same cache. */
    public float[][] embedNow(String text) {
        return embed(text).block();
    }

    /** Texts the model was run for (cache misses): for metrics, and to check that heads share one pass. */
    public long modelRuns() {
        return modelRuns.get();
    }

    /** The queue's state: depth, backlog, saturation, rejections, cancellations. */
    public EncoderLoad load() {
        return queue.load();
    }

    /** The queue, for its settings and wait observer. */
    public EncodingQueue queue() {
        return queue;
    }

    public SentenceEncoder encoder() {
        return encoder;
    }

    private Mono<float[][]> embed(String text, boolean passages) {
        return Mono.deferContextual(context -> {
            EncoderCaller caller = EncoderCaller.from(context);
            String key = caller.tenant() + '\u0000' + (passages ? "p:" : "w:") + digest(text);
            float[][] cached = cache.getIfPresent(key);
            if (cached != null) {
                return Mono.just(cached);
            }
            return Mono.<float[][]>create(sink -> {
                Pending p = attach(key, caller, text, passages);
                sink.onCancel(p::release);
                p.result.whenComplete((vectors, error) -> {
                    if (error == null) {
                        sink.success(vectors);
                    } else if (!(error instanceof CancellationException)) {
                        sink.error(
                                error instanceof CompletionException && error.getCause() != null
                                        ? error.getCause()
                                        : error);
                    }
                });
            });
        });
    }

    private Pending attach(String key, EncoderCaller caller, String text, boolean passages) {
        Pending[] created = new Pending[1];
        float[][][] finished = new float[1][][];
        Pending p = pending.compute(key, (k, existing) -> {
            if (existing != null && existing.retain()) {
                return existing;
            }
            // A run for this text may have finished between the caller's cache miss and now: it puts its vectors in
            // the cache before it leaves this map, so looking again here, under the map's lock for the key, never
            // encodes a text twice (the race made the heads' shared pass two passes under load)
            finished[0] = cache.getIfPresent(key);
            if (finished[0] != null) {
                return existing;
            }
            created[0] = new Pending(key);
            created[0].retain();
            return created[0];
        });
        if (finished[0] != null) {
            Pending done = new Pending(key);
            done.result.complete(finished[0]);
            return done;
        }
        if (p == created[0]) {
            start(p, caller, text, passages);
        }
        return p;
    }

    private void start(Pending p, EncoderCaller caller, String text, boolean passages) {
        Runnable tokeniseAndQueue = () -> {
            try {
                List<long[]> windows = passages ? encoder.passageWindows(text) : encoder.windows(text);
                modelRuns.incrementAndGet();
                p.queued(queue.submit(caller, windows));
            } catch (RuntimeException e) {
                p.fail(e);
            }
        };
        if (text == null || text.length() <= INLINE_TOKENISE_CHARS) {
            tokeniseAndQueue.run();
        } else {
            try {
                tokenising.execute(tokeniseAndQueue);
            } catch (RuntimeException e) {
                p.fail(e);
            }
        }
    }

    static String digest(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest((text == null ? "" : text).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One encoding in progress and the callers waiting for it; abandoned when the last of them cancels. */
    private final class Pending {
        final String key;
        final java.util.concurrent.CompletableFuture<float[][]> result = new java.util.concurrent.CompletableFuture<>();
        private int holders;
        private boolean abandoned;
        private EncodingQueue.Job job;

        Pending(String key) {
            this.key = key;
        }

        synchronized boolean retain() {
            if (abandoned || result.isCompletedExceptionally()) {
                return false;
            }
            holders++;
            return true;
        }

        void release() {
            EncodingQueue.Job toCancel;
            synchronized (this) {
                if (--holders > 0 || result.isDone()) {
                    return;
                }
                abandoned = true;
                toCancel = job;
            }
            pending.remove(key, this);
            if (toCancel != null) {
                queue.cancel(toCancel);
            }
            result.cancel(false);
        }

        void queued(EncodingQueue.Job queued) {
            boolean cancelNow;
            synchronized (this) {
                job = queued;
                cancelNow = abandoned;
            }
            if (cancelNow) {
                queue.cancel(queued);
                return;
            }
            queued.result().whenComplete((rows, error) -> {
                if (error == null) {
                    float[][] vectors = SentenceEncoder.vectors(rows);
                    cache.put(key, vectors);
                    pending.remove(key, this);
                    result.complete(vectors);
                } else {
                    fail(error);
                }
            });
        }

        void fail(Throwable error) {
            pending.remove(key, this);
            result.completeExceptionally(error);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.close();
        // the tokenizer and the session are native: nothing may still be using them when they are freed
        tokenising.shutdownNow();
        try {
            tokenising.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        encoder.close();
    }
}
