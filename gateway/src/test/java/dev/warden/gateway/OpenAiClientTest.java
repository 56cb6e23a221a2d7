package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java client, unchanged, talking to the gateway over HTTP. */
class OpenAiClientTest extends GatewayTest {

    private OpenAIClient client;

    @BeforeEach
    void client() {
        client = openAi(TENANTS.localKey);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    private ChatCompletionCreateParams.Builder chat(String user) {
        return ChatCompletionCreateParams.builder().model(ChatModel.of(MODEL)).addUserMessage(user);
    }

    @Test
    void chatCompletionIsForwardedAndAnswered() {
        UPSTREAM.enqueue(ScriptedReply.text("The capital of France is Paris.").usage(12, 7));

        ChatCompletion completion =
                client.chat().completions().create(chat("Capital of France?").build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValue("The capital of France is Paris.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.usage().get().promptTokens()).isEqualTo(12);
        assertThat(completion.usage().get().completionTokens()).isEqualTo(7);
        var forwarded = UPSTREAM.lastGenerationRequest().json();
        assertThat(forwarded.get("model").asString()).isEqualTo(UPSTREAM_MODEL);
        assertThat(forwarded.get("messages").get(0).get("content").asString()).isEqualTo("Capital of France?");
    }

    @Test
    void streamedChatArrivesInChunksWithUsage() {
        UPSTREAM.enqueue(ScriptedReply.pieces("One", " two", " three").usage(5, 3));

        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(chat("Count")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            });
        }

        assertThat(text.toString()).isEqualTo("One two three");
        assertThat(chunks.stream()
                        .filter(c -> !c.choices().isEmpty()
                                && c.choices()
                                        .get(0)
                                        .delta()
                                        .content()
                                        .filter(s -> !s.isEmpty())
                                        .isPresent()))
                .hasSize(3);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().get().promptTokens()).isEqualTo(5);
        assertThat(last.usage().get().completionTokens()).isEqualTo(3);
    }

    @Test
    void firstChunkReachesTheClientBeforeTheUpstreamHasFinished() {
        OpenAIClient optimistic = OpenAIOkHttpClient.builder()
                .apiKey(TENANTS.playgroundKey)
                .baseUrl(baseUrl() + "/v1")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " late").holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (StreamResponse<ChatCompletionChunk> stream = optimistic
                .chat()
                .completions()
                .createStreaming(chat("stream please").build())) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            String first = "";
            while (first.isEmpty()) {
                ChatCompletionChunk chunk = it.next();
                first = chunk.choices().isEmpty()
                        ? ""
                        : chunk.choices().get(0).delta().content().orElse("");
            }
            // The upstream sent one piece and stops at the gate until released, so it cannot have finished. It
            // marks the gate reached on its own event loop just after writing that piece, which may come a moment
            // after the piece has already crossed the gateway to the client: waited for, not read at once.
            assertThat(first).isEqualTo("early");
            assertThat(gate.awaitReached(Duration.ofSeconds(10))).isTrue();
            assertThat(UPSTREAM.completedResponses()).isEqualTo(completedBefore);

            gate.release();
            StringBuilder rest = new StringBuilder();
            it.forEachRemaining(
                    c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(rest::append)));
            assertThat(rest.toString()).isEqualTo(" late");
        } finally {
            optimistic.close();
        }
    }

    @Test
    void textCompletion() {
        UPSTREAM.enqueue(ScriptedReply.text("world").usage(2, 1));

        Completion completion = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(CompletionCreateParams.Model.of(MODEL))
                        .prompt("hello")
                        .build());

        assertThat(completion.choices().get(0).text()).isEqualTo("world");
        assertThat(UPSTREAM.lastGenerationRequest().path()).isEqualTo("/v1/completions");
        assertThat(UPSTREAM.lastGenerationRequest().json().get("prompt").asString())
                .isEqualTo("hello");
    }

    @Test
    void streamedTextCompletion() {
        UPSTREAM.enqueue(ScriptedReply.pieces("a", "b", "c"));

        StringBuilder text = new StringBuilder();
        try (var stream = client.completions()
                .createStreaming(CompletionCreateParams.builder()
                        .model(CompletionCreateParams.Model.of(MODEL))
                        .prompt("abc")
                        .build())) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> text.append(ch.text())));
        }

        assertThat(text.toString()).isEqualTo("abc");
    }

    @Test
    void modelsAreListed() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).containsExactly(MODEL, TINY_MODEL);
        assertThat(client.models().retrieve(MODEL).id()).isEqualTo(MODEL);
    }
}
