package dev.warden.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One served model as configured under {@code warden.models}. {@code engine} is {@code llama-cpp} (in-process on a
 * GGUF file) or {@code remote} (OpenAI-compatible servers: vLLM, llama.cpp's server, TGI, Ollama).
 */
public record ModelProperties(String name, String engine, Integer contextLength, String licence,
                              LlamaCpp llamaCpp, Remote remote) {

    public record LlamaCpp(Path gguf, Integer slots, Integer queue, Integer threads, Integer defaultMaxTokens) {
    }

    public record Remote(List<String> urls, String upstreamModel, String apiKey, Duration connectTimeout,
                         Duration firstTokenTimeout, Duration idleTimeout, Duration responseTimeout,
                         Integer retries, Duration healthInterval, String healthPath, Integer maxConnections,
                         Breaker breaker) {
    }

    /** Per-replica circuit breaker; unset fields keep the defaults (50 % of the last 20 calls, 30 s open). */
    public record Breaker(Float failureRatePercent, Integer slidingWindowCalls, Integer minimumCalls,
                          Duration waitInOpen, Integer halfOpenCalls) {
    }
}
