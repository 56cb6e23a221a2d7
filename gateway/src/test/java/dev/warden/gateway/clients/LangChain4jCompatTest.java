package dev.warden.gateway.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.moderation.Moderation;
import dev.langchain4j.model.moderation.ModerationRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiModerationModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiResponsesStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** LangChain4j's OpenAI module, unchanged: chat, streaming, Responses, embeddings, moderation, errors and blocks. */
class LangChain4jCompatTest extends ClientsGatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAiChatModel chat(String key, String model) {
        return OpenAiChatModel.builder()
                .baseUrl(v1())
                .apiKey(key)
                .modelName(model)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private OpenAiStreamingChatModel streaming(String key) {
        return OpenAiStreamingChatModel.builder()
                .baseUrl(v1())
                .apiKey(key)
                .modelName(MODEL)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private OpenAiResponsesChatModel responses(String key) {
        return OpenAiResponsesChatModel.builder()
                .baseUrl(v1())
                .apiKey(key)
                .modelName(MODEL)
                .build();
    }

    private OpenAiResponsesStreamingChatModel responsesStreaming(String key) {
        return OpenAiResponsesStreamingChatModel.builder()
                .baseUrl(v1())
                .apiKey(key)
                .modelName(MODEL)
                .build();
    }

    @Test
    void chatAndAnUnknownModel() {
        UPSTREAM.enqueue(ScriptedReply.text("Paris."));

        assertThat(chat(TENANTS.localKey, MODEL).chat("Capital of France?")).isEqualTo("Paris.");
        assertThatThrownBy(() -> chat(TENANTS.localKey, "no-such-model").chat("hi"))
                .isInstanceOf(ModelNotFoundException.class);
    }

    /**
     * LangChain4j maps an HTTP error by its status only (400: {@link InvalidRequestException}); the gateway's error
     * is in the cause, an {@link HttpException} with the status and the body: code, message and categories.
     */
    @Test
    void aBlockedPromptIsAnInvalidRequestCarryingTheGatewaysErrorOnEveryModel() {
        int before = UPSTREAM.generationRequests();
        List<Throwable> errors = new ArrayList<>();
        errors.add(catchThrowable(() -> chat(TENANTS.localKey, MODEL).chat(BLOCKED_PROMPT)));
        errors.add(catchThrowable(() -> streamed(streaming(TENANTS.localKey)::chat, BLOCKED_PROMPT)));
        errors.add(catchThrowable(() -> responses(TENANTS.localKey).chat(UserMessage.from(BLOCKED_PROMPT))));
        errors.add(catchThrowable(() -> streamed(responsesStreaming(TENANTS.localKey)::chat, BLOCKED_PROMPT)));

        assertThat(errors).hasSize(4).allSatisfy(e -> {
            assertThat(e).isInstanceOf(InvalidRequestException.class);
            HttpException http = httpCause(e);
            assertThat(http.statusCode()).isEqualTo(400);
            JsonNode error = JSON.readTree(http.getMessage()).path("error");
            assertThat(error.path("code").asString()).isEqualTo("content_filter");
            assertThat(error.path("message").asString()).contains(BLOCKED_MESSAGE);
            assertThat(error.path("categories").toString()).contains("jailbreak");
        });
        assertThat(UPSTREAM.generationRequests())
                .as("no blocked prompt reached the model")
                .isEqualTo(before);
    }

    private static HttpException httpCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpException http) {
                return http;
            }
        }
        throw new AssertionError("no HttpException in the causes of " + e, e);
    }

    /** Runs a streaming call to its end: its response, or its error thrown. */
    private static ChatResponse streamed(StreamingCall call, String message) throws Throwable {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        call.chat(message, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {}

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return done.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    /** LangChain4j reads a {@code refusal} as a content filter: the withheld answer is its typed exception. */
    @Test
    void aWithheldAnswerIsAContentFilteredException() {
        UPSTREAM.enqueue(withheldAnswer());

        assertThatThrownBy(() -> chat(TENANTS.localKey, MODEL).chat("Tell me about chemistry."))
                .isInstanceOf(ContentFilteredException.class)
                .hasMessageContaining("content filter");
    }

    @Test
    void aCutStreamCompletesWithFinishReasonContentFilter() throws Throwable {
        UPSTREAM.enqueue(cutStream());

        ChatResponse response = streamed(streaming(TENANTS.holdbackKey)::chat, "count for me");

        assertThat(response.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(response.aiMessage().text()).startsWith("w0 w1 ").doesNotContain("sk-proj");
    }

    /**
     * LangChain4j's Responses models map every {@code incomplete} status to {@link FinishReason#LENGTH}; why it
     * ended ({@code incomplete_details.reason: content_filter}) is only in the raw response they keep.
     */
    @Test
    void aWithheldOrCutResponsesAnswerIsIncompleteWithTheReasonInTheRawResponse() throws Throwable {
        UPSTREAM.enqueue(withheldAnswer(), cutStream());

        ChatResponse withheld = responses(TENANTS.localKey).chat(UserMessage.from("Tell me about chemistry."));
        ChatResponse cut = streamed(responsesStreaming(TENANTS.holdbackKey)::chat, "count for me");

        assertThat(withheld.finishReason()).as(withheld.toString()).isEqualTo(FinishReason.LENGTH);
        assertThat(withheld.aiMessage().text()).as(withheld.toString()).isNullOrEmpty();
        JsonNode raw = JSON.readTree(((OpenAiResponsesChatResponseMetadata) withheld.metadata())
                .rawHttpResponse()
                .body());
        assertThat(raw.path("incomplete_details").path("reason").asString()).isEqualTo("content_filter");

        assertThat(cut.finishReason()).as(cut.toString()).isEqualTo(FinishReason.LENGTH);
        assertThat(cut.aiMessage().text()).startsWith("w0 w1 ").doesNotContain("sk-proj");
        List<ServerSentEvent> events = ((OpenAiResponsesChatResponseMetadata) cut.metadata()).rawServerSentEvents();
        assertThat(events).as(cut.toString()).isNotEmpty();
        JsonNode last = JSON.readTree(events.get(events.size() - 1).data());
        assertThat(last.path("type").asString()).isEqualTo("response.incomplete");
        assertThat(last.path("response")
                        .path("incomplete_details")
                        .path("reason")
                        .asString())
                .isEqualTo("content_filter");
    }

    @Test
    void aStreamArrivesIncrementallyFromASlowUpstream() throws Exception {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " late")
                .chunkDelay(Duration.ofMillis(100))
                .holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();

        ChatResponse done = stream(streaming(TENANTS.playgroundKey)::chat, "stream please", gate, completedBefore);

        assertThat(done.aiMessage().text()).isEqualTo("early late");
    }

    @Test
    void responsesCallAndStream() throws Exception {
        UPSTREAM.enqueue(ScriptedReply.text("Paris."));

        ChatResponse response = responses(TENANTS.localKey).chat(UserMessage.from("Capital of France?"));

        assertThat(response.aiMessage().text()).isEqualTo("Paris.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);

        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " late")
                .chunkDelay(Duration.ofMillis(100))
                .holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();
        // the partial responses of LangChain4j's Responses stream are the response.output_text.delta events
        ChatResponse streamed =
                stream(responsesStreaming(TENANTS.playgroundKey)::chat, "stream please", gate, completedBefore);
        assertThat(streamed.aiMessage().text()).isEqualTo("early late");
    }

    interface StreamingCall {
        void chat(String message, StreamingChatResponseHandler handler);
    }

    /**
     * Streams, asserting that the first partial text ("early", the upstream's first piece) arrives while the
     * upstream is held before its end.
     */
    private static ChatResponse stream(StreamingCall call, String message, ScriptedGate gate, int completedBefore)
            throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AtomicInteger completedAtFirst = new AtomicInteger(-1);
        AtomicReference<String> first = new AtomicReference<>();
        call.chat(message, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                if (completedAtFirst.compareAndSet(-1, UPSTREAM.completedResponses())) {
                    first.set(partial);
                    gate.release();
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(20, TimeUnit.SECONDS);
        assertThat(first.get()).isEqualTo("early");
        assertThat(completedAtFirst.get())
                .as("first partial came before the upstream's last chunk")
                .isEqualTo(completedBefore);
        return response;
    }

    @Test
    void embeddings() {
        OpenAiEmbeddingModel embeddings = OpenAiEmbeddingModel.builder()
                .baseUrl(v1())
                .apiKey(TENANTS.localKey)
                .modelName(EMBED_MODEL)
                .build();

        assertThat(embeddings.embed("The cat sat on the mat.").content().vector())
                .hasSize(8);
    }

    /** LangChain4j's {@link Moderation} has no categories: whether any text was flagged, and the first that was. */
    @Test
    void moderationFlagsTheTextThatFailed() {
        OpenAiModerationModel moderation = OpenAiModerationModel.builder()
                .baseUrl(v1())
                .apiKey(TENANTS.localKey)
                .modelName("warden-guard")
                .build();

        Moderation clean = moderation.moderate("hello there").content();
        Moderation flagged = moderation
                .moderate(ModerationRequest.builder()
                        .texts(List.of("hello there", HAZARD))
                        .build())
                .moderation();

        assertThat(clean.flagged()).isFalse();
        assertThat(flagged.flagged()).isTrue();
        assertThat(flagged.flaggedText()).isEqualTo(HAZARD);
    }
}
