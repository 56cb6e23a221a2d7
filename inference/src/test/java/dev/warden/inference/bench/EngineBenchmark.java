package dev.warden.inference.bench;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.llamacpp.LlamaCppSettings;
import dev.warden.inference.testing.TinyGguf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Time to first token and tokens per second of {@link LlamaCppEngine} called directly (no HTTP), streaming chat.
 * Not a test: run it by hand from the repository root:
 * <pre>
 * ./mvnw -q -B -o -pl inference test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * cd inference &amp;&amp; java -Dde.kherud.llama.tmpdir=target/jllama \
 *     -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.warden.inference.bench.EngineBenchmark --slots 1 --threads 2 --requests 20 2&gt;/dev/null
 * </pre>
 * (stderr carries llama.cpp's load log.)
 *
 * <p>Options ({@code --name value}): {@code model} (default: the tiny test GGUF), {@code slots} (2),
 * {@code threads} (0 = llama.cpp's choice), {@code ctx} (0 = the model's), {@code requests} (40),
 * {@code concurrency} (= slots), {@code max-tokens} (128), {@code warmup} (4), {@code prompt-words} (50),
 * {@code logprobs} (false; true measures the C API path that reports 5 top logprobs per token).
 */
public final class EngineBenchmark {

    public static void main(String[] args) {
        Map<String, String> o = options(args);
        Path model = o.containsKey("model") ? Path.of(o.get("model")) : TinyGguf.path();
        int slots = Integer.parseInt(o.getOrDefault("slots", "2"));
        int threads = Integer.parseInt(o.getOrDefault("threads", "0"));
        int ctx = Integer.parseInt(o.getOrDefault("ctx", "0"));
        int requests = Integer.parseInt(o.getOrDefault("requests", "40"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", String.valueOf(slots)));
        int maxTokens = Integer.parseInt(o.getOrDefault("max-tokens", "128"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "4"));
        int promptWords = Integer.parseInt(o.getOrDefault("prompt-words", "50"));
        boolean logprobs = Boolean.parseBoolean(o.getOrDefault("logprobs", "false"));

        long loadStart = System.nanoTime();
        LlamaCppEngine engine =
                new LlamaCppEngine(new LlamaCppSettings(model, slots, Math.max(requests, 1), ctx, threads, maxTokens));
        double loadMs = (System.nanoTime() - loadStart) / 1e6;
        String prompt = "Tell me about the weather in Paris. ".repeat(Math.max(1, promptWords / 7));

        run(engine, prompt, warmup, Math.min(concurrency, slots), maxTokens, logprobs);
        long wallStart = System.nanoTime();
        List<Sample> samples = run(engine, prompt, requests, concurrency, maxTokens, logprobs);
        double wallS = (System.nanoTime() - wallStart) / 1e9;

        List<Double> ttft = new ArrayList<>();
        List<Double> perRequestRate = new ArrayList<>();
        long tokens = 0;
        for (Sample s : samples) {
            ttft.add(s.ttftMs);
            tokens += s.completionTokens;
            if (s.completionTokens > 1 && s.totalMs > s.ttftMs) {
                perRequestRate.add((s.completionTokens - 1) / ((s.totalMs - s.ttftMs) / 1000));
            }
        }
        System.out.printf(
                "model %s, %d slot(s), %d thread(s), context %d, load %.0f ms%n",
                model, slots, threads, engine.contextLength(), loadMs);
        System.out.printf(
                "%d requests, concurrency %d, max_tokens %d, prompt %d tokens, logprobs %s%n",
                requests, concurrency, maxTokens, samples.get(0).promptTokens, logprobs);
        System.out.printf(
                "time to first token ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
                pct(ttft, 50), pct(ttft, 90), pct(ttft, 99), pct(ttft, 100));
        System.out.printf(
                "tokens/s per request (after the first token): p50 %.0f  p10 %.0f%n",
                pct(perRequestRate, 50), pct(perRequestRate, 10));
        System.out.printf("aggregate: %d completion tokens in %.2f s = %.0f tokens/s%n", tokens, wallS, tokens / wallS);
        // The binding's native server thread is not a daemon: the JVM would not exit on its own.
        System.exit(0);
    }

    private record Sample(double ttftMs, double totalMs, int promptTokens, int completionTokens) {}

    private static List<Sample> run(
            LlamaCppEngine engine, String prompt, int requests, int concurrency, int maxTokens, boolean logprobs) {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        Flux.range(0, requests)
                .flatMap(i -> one(engine, prompt, maxTokens, i, logprobs), Math.max(1, concurrency))
                .doOnNext(samples::add)
                .blockLast();
        return samples;
    }

    private static Mono<Sample> one(LlamaCppEngine engine, String prompt, int maxTokens, int i, boolean logprobs) {
        SamplingParams params =
                new SamplingParams(0.8, null, maxTokens, List.of(), (long) i, 1, logprobs, logprobs ? 5 : null);
        ChatRequest request = new ChatRequest(
                "bench", List.of(ChatMessage.of(Role.USER, prompt)), List.of(), null, params, true, true, null);
        return Mono.defer(() -> {
            long start = System.nanoTime();
            AtomicLong first = new AtomicLong();
            return engine.streamChat(request)
                    .doOnNext(c -> {
                        if (!c.text().isEmpty()) {
                            first.compareAndSet(0, System.nanoTime());
                        }
                    })
                    .filter(c -> c.usage() != null)
                    .map(StreamChunk::usage)
                    .last()
                    .map(u -> {
                        long end = System.nanoTime();
                        long f = first.get() == 0 ? end : first.get();
                        return new Sample(
                                (f - start) / 1e6, (end - start) / 1e6, u.promptTokens(), u.completionTokens());
                    });
        });
    }

    private static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        return o;
    }
}
