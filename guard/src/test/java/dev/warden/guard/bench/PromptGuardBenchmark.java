package dev.warden.guard.bench;

import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.guard.promptguard.PromptGuardClassifier;
import dev.warden.guard.promptguard.PromptGuardConfig;
import dev.warden.guard.promptguard.TriggerWordModel;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Latency of the Prompt Guard engine on a 200-token user prompt: tokenization, windowing, one ONNX run, softmax.
 * <p>
 * Run from the repository root after {@code ./mvnw -q -o -pl guard -am test-compile}:
 * <pre>
 * java -cp "guard/target/test-classes:guard/target/classes:$(cat guard/target/bench.cp)" \
 *     dev.warden.guard.bench.PromptGuardBenchmark [modelDir] [iterations]
 * </pre>
 * ({@code ./mvnw -q -o -pl guard dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test}
 * writes the class path.) With a model directory (model.onnx, tokenizer.json, config.json, e.g. an optimum export
 * of Llama-Prompt-Guard-2-86M) it measures that model; without, the tiny test model, which measures everything
 * but the transformer itself. The per-text score cache is off, so every call runs the model. Prints p50/p95/p99/max in milliseconds for direct calls and through the executor.
 */
public final class PromptGuardBenchmark {

    private PromptGuardBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0
                ? Path.of(args[0])
                : TriggerWordModel.write(
                        Path.of("guard", "target", "bench-model").toAbsolutePath(),
                        List.of("BENIGN", "INJECTION", "JAILBREAK"),
                        Map.of("ignore", 2));
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        try (PromptGuardClassifier classifier =
                new PromptGuardClassifier(PromptGuardConfig.of(dir).withTextCache(0))) {
            GuardInput input = prompt(classifier, 200);
            Verdict probe = classifier.classify(input).block();
            System.out.printf(
                    "model %s (%s), labels %s, %s%n", dir, classifier.version(), classifier.labels(), probe.detail());
            for (int i = 0; i < Math.min(50, iterations); i++) {
                classifier.scoreBlocking(input);
            }
            long[] direct = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t = System.nanoTime();
                classifier.scoreBlocking(input);
                direct[i] = System.nanoTime() - t;
            }
            long[] viaExecutor = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t = System.nanoTime();
                classifier.classify(input).block();
                viaExecutor[i] = System.nanoTime() - t;
            }
            report("direct (caller thread)", direct);
            report("classify() via executor", viaExecutor);
        }
    }

    /** A user prompt of about {@code tokens} tokens of ordinary English. */
    private static GuardInput prompt(PromptGuardClassifier classifier, int tokens) {
        String sentence = "Please summarise the attached quarterly report and list the three main risks for our team. ";
        StringBuilder text = new StringBuilder();
        while (true) {
            GuardInput candidate = GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text + sentence)));
            String detail = classifier.classify(candidate).block().detail();
            int count = Integer.parseInt(detail.replaceAll(".*tokens=(\\d+).*", "$1"));
            if (count > tokens) {
                break;
            }
            text.append(sentence);
        }
        // top up word by word to reach the count
        String[] words = sentence.split(" ");
        for (int i = 0; ; i++) {
            String next = text + words[i % words.length] + " ";
            String detail = classifier
                    .classify(GuardInput.prompt(List.of(ChatMessage.of(Role.USER, next))))
                    .block()
                    .detail();
            if (Integer.parseInt(detail.replaceAll(".*tokens=(\\d+).*", "$1")) > tokens) {
                break;
            }
            text.setLength(0);
            text.append(next);
        }
        return GuardInput.prompt(List.of(ChatMessage.of(Role.USER, text.toString())));
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "%-26s n=%d p50=%.3f p95=%.3f p99=%.3f max=%.3f ms%n",
                what,
                sorted.length,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.95)] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }
}
