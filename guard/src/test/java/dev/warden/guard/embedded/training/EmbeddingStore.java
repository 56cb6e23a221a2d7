package dev.warden.guard.embedded.training;

import dev.warden.guard.embedded.SentenceEncoder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Training-time embedding cache under target/ (never committed): first-window MiniLM embedding per text, keyed by
 * the SHA-256 of the raw text, appended to one binary file so that a rerun only encodes new texts.
 */
final class EmbeddingStore {

    private final Path file;
    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();

    EmbeddingStore(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                while (true) {
                    byte[] key = new byte[32];
                    try {
                        in.readFully(key);
                    } catch (EOFException e) {
                        break;
                    }
                    float[] v = new float[SentenceEncoder.DIMENSION];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = in.readFloat();
                    }
                    vectors.put(HexFormat.of().formatHex(key), v);
                }
            }
        }
    }

    float[] get(String text) {
        return vectors.get(key(text));
    }

    /** Encodes the texts not cached yet with {@code workers} threads, appending them to the file. */
    void fill(List<String> texts, SentenceEncoder encoder, int workers) throws Exception {
        List<String> missing = texts.stream()
                .distinct()
                .filter(t -> !vectors.containsKey(key(t)))
                .toList();
        System.out.printf("embeddings: %d cached, %d to encode%n", texts.size() - missing.size(), missing.size());
        if (missing.isEmpty()) {
            return;
        }
        Files.createDirectories(file.getParent());
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)))) {
            List<Future<Object>> futures = missing.stream()
                    .map(t -> pool.<Object>submit(() -> {
                        float[] v = encoder.encode(t, 1)[0];
                        synchronized (out) {
                            try {
                                out.write(HexFormat.of().parseHex(key(t)));
                                for (float f : v) {
                                    out.writeFloat(f);
                                }
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        vectors.put(key(t), v);
                        int n = done.incrementAndGet();
                        if (n % 1000 == 0) {
                            System.out.printf(
                                    "  %d / %d encoded (%.0f s)%n",
                                    n, missing.size(), (System.nanoTime() - start) / 1e9);
                        }
                        return null;
                    }))
                    .toList();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    static String key(String text) {
        return HexFormat.of().formatHex(Split.sha256(text)).toLowerCase();
    }
}
