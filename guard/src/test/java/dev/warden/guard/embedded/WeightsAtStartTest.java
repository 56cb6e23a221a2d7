package dev.warden.guard.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every weights file the embedded classifiers start from (the ONNX model, its tokenizer, a fine-tuned encoder delta,
 * the head files) is checked at start: a file that is missing, corrupt or made for another encoder is a start-up
 * error naming the file, never a silent fallback. The files are real copies of the shipped ones, damaged on disk.
 */
@Tag("slow")
class WeightsAtStartTest {

    private static final String LAST_NORM_BIAS = "encoder.layer.5.output.LayerNorm.bias";

    @TempDir
    Path dir;

    private Path model;
    private Path tokenizer;

    @BeforeEach
    void copyTheShippedModel() throws IOException {
        model = Files.write(dir.resolve("all-minilm-l6-v2-q.onnx"), resource("/all-minilm-l6-v2-q.onnx"));
        tokenizer = Files.write(dir.resolve("tokenizer.json"), resource("/all-minilm-l6-v2-q-tokenizer.json"));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WeightsAtStartTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** A small valid delta: the last LayerNorm's bias shifted, which changes every embedding. */
    private Path delta(String base) throws IOException {
        float[] bias = new float[SentenceEncoder.DIMENSION];
        Arrays.fill(bias, 0.5f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EncoderDelta.write(
                base,
                List.of(new EncoderDelta.Tensor(
                        LAST_NORM_BIAS, EncoderDelta.FLOAT32, new long[] {SentenceEncoder.DIMENSION}, bias, null)),
                out);
        return Files.write(dir.resolve("encoder-delta.bin"), out.toByteArray());
    }

    @Test
    void theCopiedFilesLoadAsTheShippedBaseModel() throws IOException {
        try (SentenceEncoder fromFiles = SentenceEncoder.fromFiles(model, tokenizer, null, 1);
                SentenceEncoder fromResources =
                        new SentenceEncoder("/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-q-tokenizer.json", 1)) {
            assertThat(fromFiles.id()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(fromFiles.encode("How do I kill a Python process?")[0])
                    .containsExactly(fromResources.encode("How do I kill a Python process?")[0]);
        }
    }

    @Test
    void aTruncatedModelFileIsNamed() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, null, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(model.toString())
                .hasMessageContaining("cannot be loaded");
    }

    @Test
    void aModelFileThatIsNotAModelIsNamed() throws IOException {
        Files.writeString(model, "<html>404 Not Found</html>");
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, null, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(model.toString())
                .hasMessageContaining("cannot be loaded");
    }

    @Test
    void aMissingModelFileIsNamed() throws IOException {
        Files.delete(model);
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, null, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(model.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aCorruptTokenizerFileIsNamed() throws IOException {
        String json = Files.readString(tokenizer);
        Files.writeString(tokenizer, json.substring(0, json.length() / 3));
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, null, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(tokenizer.toString())
                .hasMessageContaining("tokenizer");
    }

    @Test
    void aCorruptDeltaFileIsNamed() throws IOException {
        Path delta = delta("all-minilm-l6-v2-q");
        byte[] bytes = Files.readAllBytes(delta);
        Files.write(delta, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, delta, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(delta.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void aDeltaFileMadeForAnotherModelIsNamed() throws IOException {
        Path delta = delta("all-mpnet-base-v2");
        assertThatThrownBy(() -> SentenceEncoder.fromFiles(model, tokenizer, delta, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(delta.toString())
                .hasMessageContaining("all-mpnet-base-v2");
    }

    @Test
    void headsTrainedOnAnotherEncoderAreRefusedNamingBothEncoders() throws IOException {
        Path delta = delta("all-minilm-l6-v2-q");
        Path heads = Files.createDirectories(dir.resolve("heads"));
        Files.writeString(heads.resolve("attack-head.json"), HeadFilesTest.shipped("attack-head.json"));
        Files.writeString(heads.resolve("hazard-head.json"), HeadFilesTest.shipped("hazard-head.json"));
        String trainedOn =
                HeadFiles.readResource(EmbeddedPromptAttackClassifier.RESOURCE).encoderId();
        SentenceEncoder tuned = SentenceEncoder.fromFiles(model, tokenizer, delta, 1);
        String loaded = tuned.id();
        assertThat(loaded).isNotEqualTo(trainedOn).startsWith("all-minilm-l6-v2-q+");
        SharedEncoder shared = new SharedEncoder(tuned, EncodingQueue.Settings.defaults(), 1024);
        assertThatThrownBy(() -> new EmbeddedClassifiers(shared, heads))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(heads.resolve("attack-head.json").toString())
                .hasMessageContaining("trained on encoder " + trainedOn)
                .hasMessageContaining("the loaded encoder is " + loaded);
    }

    @Test
    void theShippedHeadsAreRefusedOnAnEncoderTheyWereNotTrainedOn() throws IOException {
        SharedEncoder shared = new SharedEncoder(
                SentenceEncoder.fromFiles(model, tokenizer, delta("all-minilm-l6-v2-q"), 1),
                EncodingQueue.Settings.defaults(),
                1024);
        try {
            assertThatThrownBy(() -> EmbeddedHazardClassifier.load(shared))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(EmbeddedHazardClassifier.RESOURCE)
                    .hasMessageContaining(
                            "the loaded encoder is " + shared.encoder().id());
        } finally {
            shared.close();
        }
    }

    @Test
    void headsThatDoNotNameTheirEncoderAreRefused() throws IOException {
        Path heads = Files.createDirectories(dir.resolve("heads"));
        Files.writeString(
                heads.resolve("attack-head.json"),
                HeadFilesTest.shipped("attack-head.json").replaceFirst("\"encoderId\":\"[^\"]*\",?", ""));
        Files.writeString(heads.resolve("hazard-head.json"), HeadFilesTest.shipped("hazard-head.json"));
        assertThat(Files.readString(heads.resolve("attack-head.json"))).doesNotContain("encoderId");
        assertThatThrownBy(() -> new EmbeddedClassifiers(SharedEncoder.createDefault(), heads))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(heads.resolve("attack-head.json").toString())
                .hasMessageContaining("encoderId");
    }

    @Test
    void theShippedHeadsNameTheShippedEncoder() {
        try (EmbeddedClassifiers shipped = EmbeddedClassifiers.loadDefault()) {
            assertThat(HeadFiles.readResource(EmbeddedPromptAttackClassifier.RESOURCE)
                            .encoderId())
                    .isEqualTo(shipped.encoder().encoder().id());
            assertThat(HeadFiles.readResource(EmbeddedHazardClassifier.RESOURCE).encoderId())
                    .isEqualTo(shipped.encoder().encoder().id());
        }
    }
}
