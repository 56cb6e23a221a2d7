package dev.warden.guard.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderDeltaTest {

    private static final String MODEL = "/all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";
    private static final String LAST_NORM_BIAS = "encoder.layer.5.output.LayerNorm.bias";

    private static byte[] file(String base, List<EncoderDelta.Tensor> tensors) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EncoderDelta.write(base, tensors, out);
        return out.toByteArray();
    }

    private static EncoderDelta.Tensor shiftedBias() {
        float[] bias = new float[SentenceEncoder.DIMENSION];
        Arrays.fill(bias, 0.5f);
        return new EncoderDelta.Tensor(
                LAST_NORM_BIAS, EncoderDelta.FLOAT32, new long[] {SentenceEncoder.DIMENSION}, bias, null);
    }

    @Test
    void aDeltaReplacesTheGraphsInitializerAndNamesTheEncoder() throws IOException {
        EncoderDelta delta = EncoderDelta.read(file("all-minilm-l6-v2-q", List.of(shiftedBias())), "test.bin");
        try (SentenceEncoder base = new SentenceEncoder(MODEL, TOKENIZER, 1);
                SentenceEncoder tuned = new SentenceEncoder(MODEL, TOKENIZER, 1, false, delta, "test.bin")) {
            float[] a = base.encode("How do I kill a Python process?")[0];
            float[] b = tuned.encode("How do I kill a Python process?")[0];
            assertThat(b).isNotEqualTo(a);
            assertThat(base.id()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(tuned.id())
                    .isEqualTo("all-minilm-l6-v2-q+" + delta.id())
                    .hasSize("all-minilm-l6-v2-q+".length() + 12);
        }
    }

    @Test
    void int8TensorsRoundTrip() throws IOException {
        byte[] q = {1, -2, 127, -127};
        EncoderDelta d = EncoderDelta.read(
                file(
                        "m",
                        List.of(new EncoderDelta.Tensor("w_quantized", EncoderDelta.INT8, new long[] {2, 2}, null, q))),
                "d.bin");
        assertThat(d.base()).isEqualTo("m");
        assertThat(d.tensors()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("w_quantized");
            assertThat(t.bytes()).containsExactly(q);
            assertThat(t.dims()).containsExactly(2, 2);
        });
    }

    @Test
    void aBadFileIsAStartUpErrorNamingTheFile() throws IOException {
        byte[] good = file("all-minilm-l6-v2-q", List.of(shiftedBias()));
        assertThatThrownBy(() -> EncoderDelta.read("not a delta".getBytes(), "/models/x.bin"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/models/x.bin");
        assertThatThrownBy(() -> EncoderDelta.read(Arrays.copyOf(good, good.length - 10), "/models/cut.bin"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/models/cut.bin")
                .hasMessageContaining("truncated");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> EncoderDelta.read(trailing, "/models/long.bin"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/models/long.bin");
    }

    @Test
    void aDeltaForAnotherModelIsRefused() throws IOException {
        EncoderDelta other = EncoderDelta.read(file("some-other-model", List.of(shiftedBias())), "other.bin");
        assertThatThrownBy(() -> new SentenceEncoder(MODEL, TOKENIZER, 1, false, other, "other.bin"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other.bin")
                .hasMessageContaining("some-other-model");
    }

    @Test
    void aTensorThatDoesNotFitTheGraphIsAStartUpError() throws IOException {
        EncoderDelta wrongShape = EncoderDelta.read(
                file(
                        "all-minilm-l6-v2-q",
                        List.of(new EncoderDelta.Tensor(
                                LAST_NORM_BIAS, EncoderDelta.FLOAT32, new long[] {3}, new float[] {1, 2, 3}, null))),
                "shape.bin");
        assertThatThrownBy(() -> new SentenceEncoder(MODEL, TOKENIZER, 1, false, wrongShape, "shape.bin"))
                .isInstanceOf(IllegalStateException.class);
    }
}
