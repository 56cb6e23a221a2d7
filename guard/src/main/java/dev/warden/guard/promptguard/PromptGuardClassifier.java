package dev.warden.guard.promptguard;

import ai.onnxruntime.OrtException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * Prompt Guard (1 or 2) on ONNX Runtime. Scans what the client sent (spec 2.1, 2.2):
 * <ul>
 *   <li>{@code jailbreak}: the highest jailbreak probability over all user turns;</li>
 *   <li>{@code injection}: the highest indirect-injection probability over all tool turns (tool results,
 *       retrieved documents passed as tool output), 0.0 when there are none.</li>
 * </ul>
 * Every user turn is scanned, not only the last: the client writes the whole history, so earlier turns are as
 * untrusted as the new one. System turns are the operator's and are not scanned. Long turns are cut into
 * overlapping token windows and the maximum counts, as Meta advises ("flag a violation anywhere").
 * <p>
 * Each text's score is remembered (by SHA-256 of the normalised text, per role; the model is deterministic), so a
 * growing conversation costs only its new turns; {@code textCacheEntries} bounds that memory, 0 turns it off.
 * <p>
 * Scoring runs on a dedicated bounded executor: a call that finds it and its queue full gets an ERROR verdict
 * ("overloaded") immediately. The verdict's detail says how many texts were scanned, how many of them needed the model
 * ({@code scored}), and the tokens, windows and ONNX batches that took.
 */
public final class PromptGuardClassifier implements Classifier, AutoCloseable {

    private final PromptGuardConfig config;
    private final PromptGuardModel model;
    private final ThreadPoolExecutor executor;
    private final String version;
    private final Cache<TextKey, Double> textScores;

    public PromptGuardClassifier(PromptGuardConfig config) throws IOException {
        this.config = config;
        try {
            this.model = new PromptGuardModel(config);
        } catch (OrtException e) {
            throw new IOException("cannot load " + config.modelDir().resolve("model.onnx") + ": " + e.getMessage(), e);
        }
        this.version = config.version() != null ? config.version() : "sha256:" + model.digest();
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                config.threads(),
                config.threads(),
                0,
                TimeUnit.MILLISECONDS,
                config.queueCapacity() == 0
                        ? new SynchronousQueue<>()
                        : new ArrayBlockingQueue<>(config.queueCapacity()),
                runnable -> {
                    Thread thread = new Thread(runnable, config.name() + "-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.textScores = config.textCacheEntries() == 0
                ? null
                : Caffeine.newBuilder()
                        .maximumSize(config.textCacheEntries())
                        .executor(Runnable::run)
                        .build();
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public String version() {
        return version;
    }

    /** Prompt attacks come in with the request; the model's own output is not Prompt Guard's domain. */
    @Override
    public Set<Direction> directions() {
        return Set.of(Direction.INPUT);
    }

    /** The scoring executor, for tests that fill it to check the overload path. */
    ThreadPoolExecutor executor() {
        return executor;
    }

    /** The labels read from config.json, e.g. [BENIGN, INJECTION, JAILBREAK]. */
    public List<String> labels() {
        return model.labels().labels();
    }

    @Override
    public Mono<Verdict> classify(GuardInput input) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            CompletableFuture<Verdict> future;
            try {
                future = CompletableFuture.supplyAsync(() -> score(input, start), executor);
            } catch (RejectedExecutionException e) {
                return Mono.just(Verdict.failed(
                        name(),
                        version,
                        Verdict.Status.ERROR,
                        elapsed(start),
                        "overloaded: " + config.threads() + " scoring threads and " + config.queueCapacity()
                                + " queued calls busy"));
            }
            return Mono.fromFuture(future);
        });
    }

    /** Scores on the calling thread, bypassing the executor: for benchmarks. Blocking. */
    public Map<String, Double> scoreBlocking(GuardInput input) {
        return score(input, System.nanoTime()).scores();
    }

    private Verdict score(GuardInput input, long start) {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("jailbreak", 0.0);
        scores.put("injection", 0.0);
        int texts = 0;
        List<String> pending = new ArrayList<>();
        List<TextKey> pendingKeys = new ArrayList<>();
        for (ChatMessage message : input.conversation()) {
            if (message.role() != Role.USER && message.role() != Role.TOOL) {
                continue;
            }
            texts++;
            String text = model.normalise(message.content(), config.normalisation());
            TextKey key = new TextKey(message.role() == Role.TOOL, sha256(text));
            Double known = textScores == null ? null : textScores.getIfPresent(key);
            if (known != null) {
                scores.merge(key.label(), known, Math::max);
            } else if (!pendingKeys.contains(key)) {
                pending.add(text);
                pendingKeys.add(key);
            }
        }
        if (texts == 0) {
            return new Verdict(name(), version, Verdict.Status.OK, scores, elapsed(start), "nothing to scan");
        }
        PromptGuardModel.Scoring scoring = new PromptGuardModel.Scoring(List.of(), 0, 0, 0);
        if (!pending.isEmpty()) {
            try {
                scoring = model.score(pending);
            } catch (OrtException | RuntimeException e) {
                return Verdict.failed(
                        name(), version, Verdict.Status.ERROR, elapsed(start), "ONNX Runtime: " + e.getMessage());
            }
        }
        PromptGuardLabels labels = model.labels();
        for (int t = 0; t < pending.size(); t++) {
            TextKey key = pendingKeys.get(t);
            double max = 0;
            for (double[] probabilities : scoring.windowProbabilities().get(t)) {
                max = Math.max(max, key.tool() ? labels.injection(probabilities) : labels.jailbreak(probabilities));
            }
            if (textScores != null) {
                textScores.put(key, max);
            }
            scores.merge(key.label(), max, Math::max);
        }
        String detail = "texts=" + texts + " scored=" + pending.size() + " tokens=" + scoring.tokens() + " windows="
                + scoring.windows() + " batches=" + scoring.batches();
        return new Verdict(name(), version, Verdict.Status.OK, scores, elapsed(start), detail);
    }

    /** A scanned text: tool content and user turns get different scores from the same probabilities. */
    private record TextKey(boolean tool, String sha256) {
        String label() {
            return tool ? "injection" : "jailbreak";
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
    }
}
