package dev.warden.guard.stream;

import dev.warden.inference.FinishReason;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The moderator's own cost per token: streams of pre-built single-token chunks through the moderator with a check
 * that passes at once, against a raw pass-through that only wraps each chunk. Not a test; run with
 * {@code java -cp <test classpath> dev.warden.guard.stream.StreamModeratorBenchmark [tokensPerStream] [streams]}.
 */
public final class StreamModeratorBenchmark {

    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        List<StreamChunk> chunks = new ArrayList<>(tokens + 2);
        for (int i = 0; i < tokens; i++) {
            chunks.add(StreamChunk.text(0, " tok" + (i % 97) + (i % 13 == 12 ? "." : "")));
        }
        chunks.add(StreamChunk.finish(0, FinishReason.STOP));
        chunks.add(StreamChunk.usage(new Usage(20, tokens)));
        Flux<StreamChunk> upstream = Flux.fromIterable(chunks);
        StreamModerator moderator = new StreamModerator();
        Mono<WindowResult> pass = Mono.just(WindowResult.pass());
        WindowCheck noop = window -> pass;

        System.out.printf(
                Locale.ROOT,
                "%d streams of %d tokens, default windows (4-token first window ramping to 64, overlap 16, slack 8)%n",
                streams,
                tokens);
        for (int round = 0; round < 3; round++) {
            boolean report = round == 2; // the first rounds warm the JIT up
            measure("raw pass-through", report, tokens, streams, () -> upstream.map(
                            c -> (ModeratedEvent) new Release(c))
                    .count()
                    .block());
            for (StreamMode mode : StreamMode.values()) {
                StreamModeration settings = StreamModeration.of(mode);
                measure(mode.name(), report, tokens, streams, () -> moderator
                        .moderate(upstream, settings, noop)
                        .count()
                        .block());
            }
        }
    }

    private static void measure(String name, boolean report, int tokens, int streams, Runnable oneStream) {
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            oneStream.run();
        }
        long elapsed = System.nanoTime() - start;
        if (report) {
            System.out.printf(
                    Locale.ROOT,
                    "%-18s %8.1f ns/token  %8.1f us/stream%n",
                    name,
                    (double) elapsed / ((long) tokens * streams),
                    elapsed / 1000.0 / streams);
        }
    }
}
