package dev.warden.guard.embedded;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * The one MiniLM pass that both embedded heads read. Encodings are cached by SHA-256 of the text and in-flight
 * encodings are shared, so when the attack head and the hazard head ask for the same user turn at the same time
 * the model runs once. ONNX work runs on a small bounded pool: when its queue is full the request fails fast
 * (RejectedExecutionException, which the classifiers turn into an ERROR verdict) instead of queueing without
 * bound behind a slow model.
 */
public final class SharedEncoder implements AutoCloseable {

    private final SentenceEncoder encoder;
    private final ThreadPoolExecutor executor;
    private final AsyncCache<String, float[][]> cache;
    private final java.util.concurrent.atomic.AtomicLong modelRuns = new java.util.concurrent.atomic.AtomicLong();

    public SharedEncoder(SentenceEncoder encoder, int workers, int queueCapacity, long cacheEntries) {
        this.encoder = encoder;
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "minilm-encoder-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), threads, new ThreadPoolExecutor.AbortPolicy());
        this.cache = Caffeine.newBuilder().maximumSize(cacheEntries).executor(Runnable::run).buildAsync();
    }

    /** Defaults sized for a 2-core host: 2 workers each on one ONNX thread, 256 queued texts, 4096 cached texts. */
    public static SharedEncoder createDefault() {
        return new SharedEncoder(new SentenceEncoder(1), 2, 256, 4096);
    }

    /** Window embeddings of the text, computed at most once while cached. Lazy: nothing runs until subscribed. */
    public Mono<float[][]> embed(String text) {
        return Mono.defer(() -> Mono.fromFuture(
                cache.get(key(text), (k, ignored) -> CompletableFuture.supplyAsync(() -> run(() -> encoder.encode(text)), executor)),
                true));
    }

    /** Passage embeddings (short windows) of third-party content, for the indirect-injection score. */
    public Mono<float[][]> embedPassages(String text) {
        return Mono.defer(() -> Mono.fromFuture(
                cache.get("p:" + key(text), (k, ignored) -> CompletableFuture.supplyAsync(() -> run(() -> encoder.encodePassages(text)), executor)),
                true));
    }

    /** Blocking variant for offline tools (training, evaluation); same cache. */
    public float[][] embedNow(String text) {
        return cache.get(key(text), (k, ignored) -> CompletableFuture.supplyAsync(() -> run(() -> encoder.encode(text)), executor))
                .join();
    }

    /** How many times the model ran (cache misses): for metrics, and to check that heads share one pass. */
    public long modelRuns() {
        return modelRuns.get();
    }

    private float[][] run(java.util.function.Supplier<float[][]> encoding) {
        modelRuns.incrementAndGet();
        return encoding.get();
    }

    public SentenceEncoder encoder() {
        return encoder;
    }

    static String key(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        encoder.close();
    }
}
