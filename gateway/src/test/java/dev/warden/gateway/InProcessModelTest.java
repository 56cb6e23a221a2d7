package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.warden.gateway.HttpCalls.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The embedded default: a Llama-architecture GGUF served in process by llama.cpp, with no other server running,
 * through the whole gateway (auth, licence, rate limits, guards, audit).
 */
class InProcessModelTest extends GatewayTest {

    private OpenAIClient client(String key) {
        return openAi(key, Duration.ofSeconds(60));
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TINY_MODEL))
                .addSystemMessage("You are terse.")
                .addUserMessage("Tell me a story.");
    }

    @Test
    void sameSeedGivesTheSameTextAndUsageComesFromTheModelsTokenizer() {
        OpenAIClient client = client(TENANTS.localKey);
        try {
            ChatCompletion first = client.chat()
                    .completions()
                    .create(chat().seed(42L).maxCompletionTokens(24L).build());
            ChatCompletion second = client.chat()
                    .completions()
                    .create(chat().seed(42L).maxCompletionTokens(24L).build());

            String text = first.choices().get(0).message().content().orElseThrow();
            assertThat(text).isNotEmpty();
            assertThat(second.choices().get(0).message().content()).hasValue(text);
            assertThat(first.usage().get().promptTokens()).isGreaterThan(10);
            assertThat(first.usage().get().completionTokens()).isBetween(1L, 24L);
        } finally {
            client.close();
        }
    }

    @Test
    void maxTokensEndsWithFinishReasonLength() {
        OpenAIClient client = client(TENANTS.localKey);
        try {
            ChatCompletion c = client.chat()
                    .completions()
                    .create(chat().seed(7L)
                            .maxCompletionTokens(5L)
                            .temperature(1.0)
                            .build());

            if (c.choices().get(0).finishReason() == ChatCompletion.Choice.FinishReason.LENGTH) {
                assertThat(c.usage().get().completionTokens()).isEqualTo(5);
            } else {
                // the random model may end its turn early; then it used fewer than the limit
                assertThat(c.usage().get().completionTokens()).isLessThanOrEqualTo(5);
            }
        } finally {
            client.close();
        }
    }

    @Test
    void tokensStreamFromTheInProcessEngine() {
        OpenAIClient client = client(TENANTS.playgroundKey);
        List<String> pieces = new ArrayList<>();
        long[] usage = new long[1];
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(chat().seed(3L)
                        .maxCompletionTokens(32L)
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices()
                        .forEach(c ->
                                c.delta().content().filter(s -> !s.isEmpty()).ifPresent(pieces::add));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        } finally {
            client.close();
        }
        assertThat(pieces.size()).isGreaterThan(1);
        assertThat(usage[0]).isGreaterThanOrEqualTo(pieces.size());
    }

    @Test
    void whenTheSlotIsBusyFurtherRequestsGet429WithRetryAfterAtOnce() throws Exception {
        HttpCalls http = new HttpCalls(baseUrl());
        String body = "{\"model\": \"tiny-llama\", \"max_tokens\": 400, \"seed\": 1, \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"What is the capital of France?\"}]}";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replies.add(CompletableFuture.supplyAsync(
                        () -> http.post("/v1/chat/completions", TENANTS.localKey, "application/json", body), pool));
            }
            List<Reply> done = replies.stream().map(CompletableFuture::join).toList();

            assertThat(done).anyMatch(r -> r.status() == 200);
            List<Reply> refused = done.stream().filter(r -> r.status() == 429).toList();
            assertThat(refused).isNotEmpty();
            for (Reply r : refused) {
                assertThat(r.errorCode()).isEqualTo("engine_overloaded");
                assertThat(r.header("retry-after")).isNotBlank();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
