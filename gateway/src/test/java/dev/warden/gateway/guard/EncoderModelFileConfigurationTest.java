package dev.warden.gateway.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.embedded.SharedEncoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * {@code warden.guard.encoder.model} and {@code warden.guard.encoder.heads}: the embedded classifiers run on an
 * encoder graph file (e.g. the fused int8 graph, guard/TRAINING.md) with heads trained on it; a bad graph file or
 * heads trained on another encoder stop the start with an error naming the file. Real ONNX Runtime, with a copy of
 * the shipped int8 graph as the file.
 */
@Tag("slow")
class EncoderModelFileConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(EncoderProperties.class)
    static class Properties {}

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, EmbeddedGuardConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("warden.guard.encoder.threads=1");

    @TempDir
    Path dir;

    private Path model;
    private String id;

    @BeforeEach
    void copyTheShippedGraph() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-q.onnx")) {
            model = Files.write(dir.resolve("fused.onnx"), in.readAllBytes());
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model));
        id = "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    }

    /** The shipped heads, relabelled as trained on {@code encoderId}. */
    private Path heads(String encoderId) throws IOException {
        Path heads = Files.createDirectories(dir.resolve("heads"));
        for (String name : List.of("attack-head.json", "hazard-head.json")) {
            try (InputStream in = getClass().getResourceAsStream("/dev/warden/guard/embedded/" + name)) {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Files.writeString(
                        heads.resolve(name),
                        json.replaceFirst("\"encoderId\"\\s*:\\s*\"[^\"]*\"", "\"encoderId\":\"" + encoderId + "\""));
            }
        }
        return heads;
    }

    /** The messages of an error and its causes: Spring wraps the one that names the file in bean creation errors. */
    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void theConfiguredGraphFileAndItsHeadsServeTheEmbeddedClassifiers() throws IOException {
        Path heads = heads(id);
        context.withPropertyValues("warden.guard.encoder.model=" + model, "warden.guard.encoder.heads=" + heads)
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(SharedEncoder.class).encoder().id()).isEqualTo(id);
                    assertThat(ctx.getBean(EmbeddedClassifierSource.class).classifiers())
                            .extracting(c -> c.name())
                            .containsExactlyInAnyOrder("embedded-prompt-attack", "embedded-hazard");
                });
    }

    @Test
    void theShippedHeadsOnAConfiguredGraphFileStopTheStartNamingTheHeadFile() {
        context.withPropertyValues("warden.guard.encoder.model=" + model).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(messages(ctx.getStartupFailure()))
                    .contains("attack-head.json")
                    .contains("the loaded encoder is " + id);
        });
    }

    @Test
    void aBadGraphFileStopsTheStartNamingTheFile() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length / 3));
        Path heads = heads(id);
        context.withPropertyValues("warden.guard.encoder.model=" + model, "warden.guard.encoder.heads=" + heads)
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(messages(ctx.getStartupFailure()))
                            .contains("the MiniLM encoder model " + model + " cannot be loaded");
                });
    }
}
