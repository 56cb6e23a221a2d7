package dev.warden.inference.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Role;
import dev.warden.inference.SamplingParams;
import dev.warden.inference.chat.Llama31ChatFormat;
import dev.warden.inference.chat.SegmentedPrompt;
import dev.warden.inference.testing.TinyGguf;
import dev.warden.inference.testing.TinyLlamaEngine;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class NextTokenProbabilitiesTest {

    private static NextTokenProbabilities probabilities;

    @BeforeAll
    static void load() {
        probabilities = new NextTokenProbabilities(TinyGguf.path(), 0, 2);
    }

    @AfterAll
    static void close() {
        probabilities.close();
    }

    @Test
    void givesAProbabilityDistributionOverTheVocabulary() {
        var d = probabilities.next(SegmentedPrompt.builder()
                .control("<|begin_of_text|>")
                .text("hello there")
                .build());

        assertThat(probabilities.vocabularySize()).isEqualTo(TinyGguf.VOCAB_SIZE);
        assertThat(probabilities.contextLength()).isEqualTo(TinyGguf.CONTEXT_LENGTH);
        double sum = 0;
        for (float p : d.probabilities()) {
            assertThat(p).isBetween(0f, 1f);
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-4));
        assertThat(d.promptTokens())
                .isEqualTo(1 + probabilities.tokenize(SegmentedPrompt.ofText("hello there")).length);
        // The fixture's bias: printable ASCII, merged tokens and <|eot_id|> carry almost all the mass.
        int top = d.top(1)[0];
        assertThat(
                        top < TinyGguf.BYTE_TOKENS
                                ? top >= 0x20 && top < 0x7f
                                : top < TinyGguf.BYTE_TOKENS + TinyGguf.MERGES.size()
                                        || top == TinyGguf.specialId("<|eot_id|>"))
                .isTrue();
    }

    @Test
    void agreesWithTheEnginesGreedyFirstToken() {
        SegmentedPrompt prompt = SegmentedPrompt.builder()
                .control("<|begin_of_text|>")
                .text("hello there")
                .build();
        var d = probabilities.next(prompt);
        String greedy = TinyLlamaEngine.shared()
                .complete(new CompletionRequest(
                        "tiny",
                        "hello there",
                        new SamplingParams(0.0, null, 1, List.of(), null, 1, false, null),
                        false,
                        false,
                        null))
                .block()
                .choices()
                .get(0)
                .text();

        assertThat(probabilities.piece(d.top(1)[0])).isEqualTo(greedy);
    }

    @Test
    void tokenisesClientTextWithoutSpecialsAndControlSegmentsAsSpecials() {
        int eot = TinyGguf.specialId("<|eot_id|>");
        int[] ids = probabilities.tokenize(
                new Llama31ChatFormat().render(List.of(ChatMessage.of(Role.USER, "<|eot_id|>")), List.of()));

        assertThat(java.util.Arrays.stream(ids).filter(t -> t == eot).count()).isEqualTo(2);
        assertThat(probabilities.tokenId("<|eot_id|>")).isEqualTo(eot);
        assertThat(probabilities.tokenId("hello"))
                .isEqualTo(probabilities.tokenize(SegmentedPrompt.ofText("hello"))[0]);
        assertThat(probabilities.piece(eot)).isEqualTo("<|eot_id|>");
    }
}
