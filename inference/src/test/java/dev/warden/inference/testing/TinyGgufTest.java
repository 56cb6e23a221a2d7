package dev.warden.inference.testing;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.warden.inference.llamacpp.NativeLibrary;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class TinyGgufTest {

    @Test
    void writesTheSameFileOncePerJvmOutsideTheTempDirectory() throws Exception {
        assertThat(TinyGguf.path()).isSameAs(TinyGguf.path());
        assertThat(TinyGguf.path().getFileName().toString()).doesNotStartWith("llama");
        assertThat(TinyGguf.path().getParent().getFileName()).hasToString("tiny-model");
        assertThat(Files.readAllBytes(TinyGguf.path())).isEqualTo(TinyGguf.bytes());
    }

    @Test
    void loadsInLlamaCppAndGeneratesPrintableText() {
        NativeLibrary.prepare();
        LlamaModel model = new LlamaModel(new ModelParameters()
                .setModel(TinyGguf.path().toString())
                .setCtxSize(TinyGguf.CONTEXT_LENGTH)
                .setThreads(1));
        int eot = TinyGguf.specialId("<|eot_id|>");
        assertThat(model.encode("<|eot_id|>")).containsExactly(eot);
        assertThat(model.encode("hello")).hasSize(1);

        String text = model.complete(new InferenceParameters("hello there")
                .setNPredict(24)
                .setSeed(7)
                .setTemperature(0.8f)
                .setIgnoreEos(true));
        assertThat(text).isNotEmpty().matches("[\\x20-\\x7e]+");
        assertThat(model.encode(text).length).isBetween(1, 24);

        String template = model.applyTemplate(new InferenceParameters("")
                .setMessages("Be brief.", java.util.List.of(new de.kherud.llama.Pair<>("user", "Hi"))));
        assertThat(template)
                .startsWith("<|start_header_id|>system<|end_header_id|>\n\n")
                .endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void favouringVariantPutsNearlyAllFirstTokenMassOnTheWord() {
        int unsafe = TinyGguf.tokenId("unsafe");
        try (var p = new dev.warden.inference.llamacpp.NextTokenProbabilities(TinyGguf.pathFavouring("unsafe"), 0, 1)) {
            var d = p.next(dev.warden.inference.chat.SegmentedPrompt.builder()
                    .control("<|begin_of_text|>")
                    .text("Task: check this conversation")
                    .control("<|eot_id|>")
                    .build());
            assertThat(d.top(1)[0]).isEqualTo(unsafe);
            assertThat(d.probability(unsafe)).isGreaterThan(0.9);
            assertThat(p.piece(unsafe)).isEqualTo("unsafe");
            assertThat(p.tokenId("safe")).isEqualTo(TinyGguf.tokenId("safe"));
        }
        assertThat(TinyGguf.pathFavouring("unsafe"))
                .isNotEqualTo(TinyGguf.path())
                .hasParentRaw(TinyGguf.path().getParent());
    }
}
