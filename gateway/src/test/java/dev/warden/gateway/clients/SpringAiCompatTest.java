package dev.warden.gateway.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.openai.errors.BadRequestException;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.moderation.ModerationPrompt;
import org.springframework.ai.moderation.ModerationResult;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.OpenAiEmbeddingModel;
import org.springframework.ai.openai.OpenAiEmbeddingOptions;
import org.springframework.ai.openai.OpenAiModerationModel;
import org.springframework.ai.openai.OpenAiModerationOptions;

/**
 * Spring AI's OpenAI module (2.x, on the official SDK), unchanged: ChatClient call and stream, embeddings,
 * moderation, blocks. It has no Responses API client (docs/CLIENTS.md names the classes checked).
 */
class SpringAiCompatTest extends ClientsGatewayTest {

    private ChatClient client(String key) {
        OpenAiChatOptions options = OpenAiChatOptions.builder()
                .baseUrl(v1())
                .apiKey(key)
                .model(MODEL)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
        return ChatClient.create(OpenAiChatModel.builder().options(options).build());
    }

    @Test
    void chatClientCall() {
        UPSTREAM.enqueue(ScriptedReply.text("Paris."));

        assertThat(client(TENANTS.localKey)
                        .prompt()
                        .user("Capital of France?")
                        .call()
                        .content())
                .isEqualTo("Paris.");
    }

    @Test
    void chatClientStreamArrivesIncrementally() {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " late")
                .chunkDelay(Duration.ofMillis(100))
                .holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();
        AtomicInteger completedAtFirst = new AtomicInteger(-1);

        List<String> parts = client(TENANTS.playgroundKey).prompt().user("stream please").stream()
                .content()
                .filter(s -> !s.isEmpty())
                .doOnNext(s -> {
                    if (completedAtFirst.compareAndSet(-1, UPSTREAM.completedResponses())) {
                        gate.release();
                    }
                })
                .collectList()
                .block(Duration.ofSeconds(20));
        assertThat(parts).containsExactly("early", " late");
        assertThat(completedAtFirst.get()).isEqualTo(completedBefore);
    }

    /** Spring AI 2.x runs on the official SDK, whose typed exception reaches the caller. */
    @Test
    void aBlockedPromptIsTheSdksBadRequestInCallAndStream() {
        int before = UPSTREAM.generationRequests();
        Throwable called = catchThrowable(() ->
                client(TENANTS.localKey).prompt().user(BLOCKED_PROMPT).call().content());
        Throwable streamed = catchThrowable(() -> client(TENANTS.localKey).prompt().user(BLOCKED_PROMPT).stream()
                .content()
                .collectList()
                .block(Duration.ofSeconds(20)));

        // the call throws the SDK's exception itself; the stream fails with it inside a CompletionException
        assertThat(called).isInstanceOf(BadRequestException.class);
        assertThat(streamed).isInstanceOf(CompletionException.class).hasCauseInstanceOf(BadRequestException.class);
        assertThat(List.of(called, streamed.getCause())).allSatisfy(e -> assertThat(e)
                .asInstanceOf(InstanceOfAssertFactories.type(BadRequestException.class))
                .satisfies(b -> {
                    assertThat(b.code()).hasValue("content_filter");
                    assertThat(b.getMessage()).contains(BLOCKED_MESSAGE);
                    assertThat(b.headers().values("x-warden-decision")).containsExactly("block");
                }));
        assertThat(UPSTREAM.generationRequests())
                .as("no blocked prompt reached the model")
                .isEqualTo(before);
    }

    /**
     * A withheld answer: {@code content()} would be an empty string, {@code chatResponse()} has the finish reason; a
     * cut stream's last response has it too.
     */
    @Test
    void aWithheldAnswerAndACutStreamHaveFinishReasonContentFilter() {
        UPSTREAM.enqueue(withheldAnswer(), cutStream());

        ChatResponse withheld = client(TENANTS.localKey)
                .prompt()
                .user("Tell me about chemistry.")
                .call()
                .chatResponse();
        List<ChatResponse> cut = client(TENANTS.holdbackKey).prompt().user("count for me").stream()
                .chatResponse()
                .collectList()
                .block(Duration.ofSeconds(20));

        assertThat(withheld.getResult().getMetadata().getFinishReason()).isEqualToIgnoringCase("content_filter");
        assertThat(withheld.getResult().getOutput().getText()).isNullOrEmpty();
        assertThat(cut).isNotEmpty();
        assertThat(cut.stream()
                        .filter(r -> r.getResult() != null)
                        .map(r -> r.getResult().getMetadata().getFinishReason())
                        .filter(f -> f != null && !f.isEmpty())
                        .toList())
                .as(cut.toString())
                .containsExactly("CONTENT_FILTER");
        assertThat(cut.stream()
                        .filter(r -> r.getResult() != null)
                        .map(r -> String.valueOf(r.getResult().getOutput().getText()))
                        .collect(Collectors.joining()))
                .startsWith("w0 w1 ")
                .doesNotContain("sk-proj");
    }

    @Test
    void moderationReadsAsFlaggedWithItsCategories() {
        OpenAiModerationModel model = OpenAiModerationModel.builder()
                .options(OpenAiModerationOptions.builder()
                        .baseUrl(v1())
                        .apiKey(TENANTS.localKey)
                        .model("warden-guard")
                        .build())
                .build();

        ModerationResult clean = model.call(new ModerationPrompt("hello there"))
                .getResult()
                .getOutput()
                .getResults()
                .get(0);
        ModerationResult hazard = model.call(new ModerationPrompt(HAZARD))
                .getResult()
                .getOutput()
                .getResults()
                .get(0);

        assertThat(clean.isFlagged()).isFalse();
        assertThat(hazard.isFlagged()).isTrue();
        assertThat(hazard.getCategories().isViolence()).as(hazard.toString()).isTrue();
        assertThat(hazard.getCategories().isSelfHarm()).isFalse();
        assertThat(hazard.getCategoryScores().getViolence()).isGreaterThan(0.5);
    }

    @Test
    void embeddings() {
        OpenAiEmbeddingModel model = new OpenAiEmbeddingModel(OpenAiEmbeddingOptions.builder()
                .baseUrl(v1())
                .apiKey(TENANTS.localKey)
                .model(EMBED_MODEL)
                .build());

        assertThat(model.embed("The cat sat on the mat.")).hasSize(8);
    }
}
