package dev.warden.gateway.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.moderations.Moderation;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** openai-java, unchanged: chat, streaming, Responses, embeddings, moderation, errors and content-filter outcomes. */
class OpenAiJavaCompatTest extends ClientsGatewayTest {

    private OpenAIClient client;

    @BeforeEach
    void client() {
        // the playground tenant streams optimistically: text leaves as it comes, so incremental delivery is visible
        client = clientFor(TENANTS.playgroundKey);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aChatStreamFromASlowUpstreamArrivesIncrementally() {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " and", " late")
                .chunkDelay(Duration.ofMillis(100))
                .holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("stream please")
                        .build())) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            String first = "";
            while (first.isEmpty()) {
                ChatCompletionChunk chunk = it.next();
                first = chunk.choices().isEmpty()
                        ? ""
                        : chunk.choices().get(0).delta().content().orElse("");
            }
            assertThat(first).isEqualTo("early");
            assertThat(UPSTREAM.completedResponses())
                    .as("the upstream has not sent its last chunk")
                    .isEqualTo(completedBefore);
            gate.release();
            StringBuilder rest = new StringBuilder();
            it.forEachRemaining(
                    c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(rest::append)));
            assertThat(rest.toString()).isEqualTo(" and late");
        }
    }

    @Test
    void aResponsesStreamsFirstDeltaArrivesBeforeTheUpstreamsLast() {
        ScriptedGate gate = new ScriptedGate();
        UPSTREAM.enqueue(ScriptedReply.pieces("early", " late")
                .chunkDelay(Duration.ofMillis(100))
                .holdAfter(1, gate));
        int completedBefore = UPSTREAM.completedResponses();

        try (StreamResponse<ResponseStreamEvent> stream = client.responses()
                .createStreaming(ResponseCreateParams.builder()
                        .model(MODEL)
                        .input("stream please")
                        .build())) {
            Iterator<ResponseStreamEvent> it = stream.stream().iterator();
            String first = null;
            while (first == null) {
                first = it.next().outputTextDelta().map(d -> d.delta()).orElse(null);
            }
            assertThat(first).isEqualTo("early");
            assertThat(UPSTREAM.completedResponses()).isEqualTo(completedBefore);
            gate.release();
            boolean completed = false;
            while (it.hasNext()) {
                completed |= it.next().isCompleted();
            }
            assertThat(completed).isTrue();
        }
    }

    @Test
    void embeddingsComeBackAsVectors() {
        CreateEmbeddingResponse response = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model(EMBED_MODEL)
                        .input("The cat sat on the mat.")
                        .build());

        assertThat(response.data()).hasSize(1);
        assertThat(response.data().get(0).embedding()).hasSize(8);
    }

    private static ChatCompletionCreateParams chat(String prompt) {
        return ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage(prompt)
                .build();
    }

    private static ResponseCreateParams responses(String prompt) {
        return ResponseCreateParams.builder().model(MODEL).input(prompt).build();
    }

    private OpenAIClient clientFor(String key) {
        return OpenAIOkHttpClient.builder()
                .apiKey(key)
                .baseUrl(v1())
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @Test
    void aBlockedPromptIsABadRequestWithTheGatewaysCodeMessageAndDecisionOnEveryPath() {
        int before = UPSTREAM.generationRequests();
        List<ThrowingCallable> calls = List.of(
                () -> client.chat().completions().create(chat(BLOCKED_PROMPT)),
                () -> {
                    try (StreamResponse<ChatCompletionChunk> s =
                            client.chat().completions().createStreaming(chat(BLOCKED_PROMPT))) {
                        s.stream().count();
                    }
                },
                () -> client.responses().create(responses(BLOCKED_PROMPT)),
                () -> {
                    try (StreamResponse<ResponseStreamEvent> s =
                            client.responses().createStreaming(responses(BLOCKED_PROMPT))) {
                        s.stream().count();
                    }
                });

        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOfSatisfying(BadRequestException.class, e -> {
                assertThat(e.code()).hasValue("content_filter");
                assertThat(e.param()).hasValue("prompt");
                assertThat(e.getMessage()).contains(BLOCKED_MESSAGE);
                assertThat(e.headers().values("x-warden-decision")).containsExactly("block");
                assertThat(e.body().toString()).as(e.body().toString()).contains("jailbreak");
            });
        }
        assertThat(UPSTREAM.generationRequests())
                .as("no blocked prompt reached the model")
                .isEqualTo(before);
    }

    @Test
    void aWithheldAnswerIsContentFilterInChatAndAnIncompleteResponse() {
        UPSTREAM.enqueue(withheldAnswer(), withheldAnswer());

        ChatCompletion.Choice choice = client.chat()
                .completions()
                .create(chat("Tell me about chemistry."))
                .choices()
                .get(0);
        Response response = client.responses().create(responses("Tell me about chemistry."));

        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.CONTENT_FILTER);
        assertThat(choice.message().content()).isEmpty();
        assertThat(choice.message().refusal())
                .hasValueSatisfying(r -> assertThat(r).isNotBlank());
        assertThat(response.status()).hasValue(ResponseStatus.INCOMPLETE);
        assertThat(response.incompleteDetails().flatMap(Response.IncompleteDetails::reason))
                .hasValue(Response.IncompleteDetails.Reason.CONTENT_FILTER);
        assertThat(response.output().get(0).asMessage().content().get(0).isRefusal())
                .isTrue();
        assertThat(response.toString()).doesNotContain("pipe bomb");
    }

    @Test
    void aCutStreamEndsWithContentFilterInChatAndResponsesStreams() {
        UPSTREAM.enqueue(cutStream(), cutStream());
        OpenAIClient holdback = clientFor(TENANTS.holdbackKey);
        try {
            StringBuilder text = new StringBuilder();
            ChatCompletionChunk.Choice.FinishReason finish = null;
            try (StreamResponse<ChatCompletionChunk> stream =
                    holdback.chat().completions().createStreaming(chat("count for me"))) {
                for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                    for (ChatCompletionChunk.Choice c : chunk.choices()) {
                        c.delta().content().ifPresent(text::append);
                        if (c.finishReason().isPresent()) {
                            finish = c.finishReason().get();
                        }
                    }
                }
            }
            assertThat(finish).isEqualTo(ChatCompletionChunk.Choice.FinishReason.CONTENT_FILTER);
            assertThat(text.toString()).as("text before the cut was released").startsWith("w0 w1 ");
            assertThat(text.toString()).doesNotContain("sk-proj");

            StringBuilder deltas = new StringBuilder();
            ResponseStreamEvent last = null;
            try (StreamResponse<ResponseStreamEvent> stream =
                    holdback.responses().createStreaming(responses("count for me"))) {
                for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
                    event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
                    last = event;
                }
            }
            assertThat(last).isNotNull();
            assertThat(last.isIncomplete()).as(String.valueOf(last)).isTrue();
            assertThat(last.asIncomplete().response().incompleteDetails().flatMap(Response.IncompleteDetails::reason))
                    .hasValue(Response.IncompleteDetails.Reason.CONTENT_FILTER);
            assertThat(deltas.toString()).startsWith("w0 w1 ").doesNotContain("sk-proj");
        } finally {
            holdback.close();
        }
    }

    @Test
    void moderationsReadAsFlaggedWithTheirCategories() {
        ModerationCreateResponse response = client.moderations()
                .create(ModerationCreateParams.builder()
                        .model("warden-guard")
                        .inputOfStrings(List.of("hello there", HAZARD, "mail me at jane.doe@example.com"))
                        .build());

        List<Moderation> results = response.results();
        assertThat(results).hasSize(3);
        assertThat(results.get(0).flagged()).isFalse();
        Moderation hazard = results.get(1);
        assertThat(hazard.flagged()).as(hazard.toString()).isTrue();
        assertThat(hazard.categories().violence()).as(hazard.toString()).isTrue();
        assertThat(hazard.categories().selfHarm()).isFalse();
        assertThat(hazard.categoryScores().violence()).isGreaterThan(0.5);
        Moderation pii = results.get(2);
        assertThat(pii.flagged()).isTrue();
        // the gateway's labels beside OpenAI's categories: the SDK keeps them as additional properties
        assertThat(pii.categories()._additionalProperties().get("pii.email").convert(Boolean.class))
                .as(pii.toString())
                .isTrue();
        assertThat(pii.categoryScores()._additionalProperties().get("pii.email").convert(Double.class))
                .isEqualTo(1.0);
    }

    @Test
    void anUnknownModelIsANotFoundExceptionWithTheCode() {
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("no-such-model")
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).hasValue("model_not_found"));
    }

    @Test
    void aBaseUrlWithoutV1WorksToo() {
        UPSTREAM.enqueue(ScriptedReply.text("Paris."));
        OpenAIClient bare = OpenAIOkHttpClient.builder()
                .apiKey(TENANTS.localKey)
                .baseUrl(baseUrl())
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
        try {
            ChatCompletion completion = bare.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model(MODEL)
                            .addUserMessage("Capital of France?")
                            .build());
            assertThat(completion.choices().get(0).message().content()).hasValue("Paris.");
            assertThat(bare.models().list().data()).isNotEmpty();
            assertThatThrownBy(() -> bare.chat()
                            .completions()
                            .create(ChatCompletionCreateParams.builder()
                                    .model("no-such-model")
                                    .addUserMessage("hi")
                                    .build()))
                    .isInstanceOf(NotFoundException.class);
        } finally {
            bare.close();
        }
    }
}
