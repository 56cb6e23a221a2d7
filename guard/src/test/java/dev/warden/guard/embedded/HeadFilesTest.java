package dev.warden.guard.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A head file that cannot be used stops the start-up with an error naming the file: never a silent fallback. */
@Tag("slow")
class HeadFilesTest {

    @TempDir
    Path dir;

    static String shipped(String name) throws IOException {
        try (InputStream in = HeadFiles.class.getResourceAsStream("/dev/warden/guard/embedded/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCopyOfTheShippedFileReadsLikeTheResource() throws IOException {
        Path file = Files.writeString(dir.resolve("hazard-head.json"), shipped("hazard-head.json"));
        HeadFiles.Model fromFile = HeadFiles.readFile(file);
        HeadFiles.Model fromResource = HeadFiles.readResource(EmbeddedHazardClassifier.RESOURCE);
        assertThat(fromFile.version()).isEqualTo(fromResource.version());
        assertThat(fromFile.thresholds()).isEqualTo(fromResource.thresholds());
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nowhere/attack-head.json");
        assertThatThrownBy(() -> HeadFiles.readFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aTruncatedFileIsNamed() throws IOException {
        String json = shipped("attack-head.json");
        Path file = Files.writeString(dir.resolve("attack-head.json"), json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> HeadFiles.readFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a valid head file");
    }

    @Test
    void aLayerOfTheWrongShapeIsNamed() throws IOException {
        // drop the first weight of the first layer: 384 x 64 weights no longer fit
        String json = shipped("attack-head.json").replaceFirst("\"weights\":\\[[-0-9.eE]+,", "\"weights\":[");
        Path file = Files.writeString(dir.resolve("attack-head.json"), json);
        assertThatThrownBy(() -> HeadFiles.readFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("shape");
    }

    @Test
    void aNonFiniteWeightIsNamed() throws IOException {
        String json = shipped("attack-head.json").replaceFirst("\"bias\":\\[[-0-9.eE]+", "\"bias\":[\"NaN\"");
        Path file = Files.writeString(dir.resolve("attack-head.json"), json);
        assertThatThrownBy(() -> HeadFiles.readFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("finite");
    }

    @Test
    void aValidFileForTheOtherClassifierIsNamed() throws IOException {
        // The hazard file is a well-formed head file, but it has no "attack" head and no jailbreak threshold.
        Files.writeString(dir.resolve("attack-head.json"), shipped("hazard-head.json"));
        Files.writeString(dir.resolve("hazard-head.json"), shipped("hazard-head.json"));
        assertThatThrownBy(() -> new EmbeddedClassifiers(SharedEncoder.createDefault(), dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("attack-head.json").toString())
                .hasMessageContaining("does not fit this classifier");
    }
}
