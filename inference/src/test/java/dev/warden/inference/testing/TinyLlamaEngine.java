package dev.warden.inference.testing;

import dev.warden.inference.llamacpp.LlamaCppEngine;
import dev.warden.inference.llamacpp.LlamaCppSettings;

/**
 * One {@link LlamaCppEngine} on the {@link TinyGguf} model per test JVM: loading leaks native memory in the
 * binding, so tests share this instance and must not close it. 2 slots, a queue of 2, the model's 2048-token
 * context, 2 threads, 64 tokens by default.
 */
public final class TinyLlamaEngine {

    public static final int SLOTS = 2;
    public static final int QUEUE = 2;

    private static volatile LlamaCppEngine engine;

    private TinyLlamaEngine() {}

    public static LlamaCppEngine shared() {
        LlamaCppEngine e = engine;
        if (e == null) {
            synchronized (TinyLlamaEngine.class) {
                e = engine;
                if (e == null) {
                    e = new LlamaCppEngine(new LlamaCppSettings(TinyGguf.path(), SLOTS, QUEUE, 0, 2, 64));
                    engine = e;
                }
            }
        }
        return e;
    }
}
