package dev.warden.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One served model as configured under {@code warden.models}. {@code engine} is {@code llama-cpp} (in-process on a
 * GGUF file) or {@code remote} (OpenAI-compatible servers: vLLM, llama.cpp's server, TGI, Ollama).
 */
public record ModelProperties(
        String name, String engine, Integer contextLength, String licence, LlamaCpp llamaCpp, Remote remote) {

    public record LlamaCpp(Path gguf, Integer slots, Integer queue, Integer threads, Integer defaultMaxTokens) {}

    /**
     * @param server     what answers at {@code urls}: {@code openai} (any OpenAI-compatible server, the default),
     *                   {@code vllm}, {@code llama-cpp-server}, {@code ollama} or {@code tgi}; decides which request
     *                   fields are forwarded ({@code EngineFields})
     * @param embeddings whether the model answers {@code /v1/embeddings} (default false: it is a chat model)
     */
    public record Remote(
            List<String> urls,
            String upstreamModel,
            String apiKey,
            Duration connectTimeout,
            Duration firstTokenTimeout,
            Duration idleTimeout,
            Duration responseTimeout,
            Integer retries,
            Duration healthInterval,
            String healthPath,
            Integer maxConnections,
            Breaker breaker,
            String server,
            Boolean embeddings) {}

    /** Per-replica circuit breaker; unset fields keep the defaults (50 % of the last 20 calls, 30 s open). */
    public record Breaker(
            Float failureRatePercent,
            Integer slidingWindowCalls,
            Integer minimumCalls,
            Duration waitInOpen,
            Integer halfOpenCalls) {}
}
