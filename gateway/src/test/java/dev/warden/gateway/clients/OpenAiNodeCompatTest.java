package dev.warden.gateway.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedReply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The openai npm package through Node.js, installed by this test from the npm registry into
 * {@code target/npm-clients} (once; later runs reuse it), running {@code clients/openai-node-compat.mjs}.
 */
class OpenAiNodeCompatTest extends ClientsGatewayTest {

    /** The package version the suite pins; bump it here. */
    static final String OPENAI_NPM = "6.49.0";

    private static final Path DIR = Path.of("target", "npm-clients");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void install() throws Exception {
        Path installed = DIR.resolve("node_modules/openai/package.json");
        if (Files.exists(installed)
                && JSON.readTree(installed.toFile()).path("version").asString().equals(OPENAI_NPM)) {
            return;
        }
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("package.json"), "{\"name\": \"warden-client-suite\", \"private\": true}");
        Process npm = new ProcessBuilder(
                        "npm", "install", "--no-audit", "--no-fund", "--silent", "openai@" + OPENAI_NPM)
                .directory(DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(DIR.resolve("npm-install.log").toFile())
                .start();
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).as("npm install finished").isTrue();
        assertThat(npm.exitValue())
                .as(Files.readString(DIR.resolve("npm-install.log")))
                .isZero();
    }

    @Test
    void theNodeClientsChatStreamingResponsesEmbeddingsModerationAndBlocks() throws Exception {
        ScriptedGate chatGate = new ScriptedGate();
        ScriptedGate responsesGate = new ScriptedGate();
        UPSTREAM.enqueue(
                ScriptedReply.text("Paris."),
                ScriptedReply.pieces("early", " late")
                        .chunkDelay(Duration.ofMillis(100))
                        .holdAfter(1, chatGate),
                ScriptedReply.text("Paris."),
                ScriptedReply.pieces("early", " late")
                        .chunkDelay(Duration.ofMillis(100))
                        .holdAfter(1, responsesGate),
                withheldAnswer(),
                withheldAnswer(),
                cutStream(),
                cutStream());
        int before = UPSTREAM.completedResponses();
        Files.copy(
                Objects.requireNonNull(getClass().getResourceAsStream("/clients/openai-node-compat.mjs")),
                DIR.resolve("compat.mjs"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ProcessBuilder builder = new ProcessBuilder("node", "compat.mjs")
                .directory(DIR.toFile())
                .redirectError(DIR.resolve("compat-stderr.log").toFile());
        builder.environment().put("BASE_URL", v1());
        builder.environment().put("LOCAL_KEY", TENANTS.localKey);
        builder.environment().put("STREAM_KEY", TENANTS.playgroundKey);
        builder.environment().put("MODEL", MODEL);
        builder.environment().put("EMBED_MODEL", EMBED_MODEL);
        builder.environment().put("HOLDBACK_KEY", TENANTS.holdbackKey);
        builder.environment().put("BLOCKED_PROMPT", BLOCKED_PROMPT);
        builder.environment().put("HAZARD", HAZARD);
        int generationsBefore = UPSTREAM.generationRequests();
        Process node = builder.start();
        List<JsonNode> lines = new ArrayList<>();
        List<Integer> completedAtFirst = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                JsonNode result = JSON.readTree(line);
                lines.add(result);
                if (result.has("first")) {
                    // the client has its first text while the upstream is held before its last chunk
                    completedAtFirst.add(UPSTREAM.completedResponses());
                    (result.path("case").asString().equals("chat-stream") ? chatGate : responsesGate).release();
                }
            }
        } finally {
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(node.exitValue())
                .as(lines + Files.readString(DIR.resolve("compat-stderr.log")))
                .isZero();

        assertThat(result(lines, "chat", 0).path("content").asString()).isEqualTo("Paris.");
        assertThat(result(lines, "chat-stream", 0).path("first").asString()).isEqualTo("early");
        assertThat(result(lines, "chat-stream", 1).path("text").asString()).isEqualTo("early late");
        assertThat(result(lines, "chat-stream", 1).path("usage").asBoolean()).isTrue();
        assertThat(result(lines, "responses", 0).path("text").asString()).isEqualTo("Paris.");
        assertThat(result(lines, "responses", 0).path("status").asString()).isEqualTo("completed");
        assertThat(result(lines, "responses-stream", 0).path("first").asString())
                .isEqualTo("early");
        assertThat(result(lines, "responses-stream", 1).path("text").asString()).isEqualTo("early late");
        assertThat(result(lines, "responses-stream", 1).path("completed").asBoolean())
                .isTrue();
        assertThat(result(lines, "embeddings", 0).path("dimensions").asInt()).isEqualTo(8);
        for (int i = 0; i < 4; i++) {
            JsonNode blocked = result(lines, "blocked", i);
            assertThat(blocked.path("badRequest").asBoolean())
                    .as(blocked.toString())
                    .isTrue();
            assertThat(blocked.path("code").asString()).isEqualTo("content_filter");
            assertThat(blocked.path("message").asString()).contains(BLOCKED_MESSAGE);
            assertThat(blocked.path("categories").toString()).contains("jailbreak");
            assertThat(blocked.path("decision").asString()).isEqualTo("block");
        }
        assertThat(List.of(0, 1, 2, 3))
                .extracting(i -> result(lines, "blocked", i).path("path").asString())
                .containsExactly("chat", "chat-stream", "responses", "responses-stream");
        JsonNode withheld = result(lines, "withheld", 0);
        assertThat(withheld.path("finish").asString()).isEqualTo("content_filter");
        assertThat(withheld.path("refusal").asBoolean()).isTrue();
        assertThat(withheld.path("content").isNull()).as(withheld.toString()).isTrue();
        JsonNode withheldResponse = result(lines, "withheld-responses", 0);
        assertThat(withheldResponse.path("status").asString()).isEqualTo("incomplete");
        assertThat(withheldResponse.path("reason").asString()).isEqualTo("content_filter");
        assertThat(withheldResponse.path("refusal").asString()).isEqualTo("refusal");
        JsonNode cut = result(lines, "cut", 0);
        assertThat(cut.path("finish").asString()).as(cut.toString()).isEqualTo("content_filter");
        assertThat(cut.path("text").asString()).startsWith("w0 w1 ");
        assertThat(cut.path("leaked").asBoolean()).isFalse();
        JsonNode cutResponses = result(lines, "cut-responses", 0);
        assertThat(cutResponses.path("last").asString())
                .as(cutResponses.toString())
                .isEqualTo("response.incomplete");
        assertThat(cutResponses.path("reason").asString()).isEqualTo("content_filter");
        assertThat(cutResponses.path("text").asString()).startsWith("w0 w1 ");
        assertThat(cutResponses.path("leaked").asBoolean()).isFalse();
        JsonNode moderation = result(lines, "moderation", 0);
        assertThat(moderation.path("clean").asBoolean())
                .as(moderation.toString())
                .isFalse();
        assertThat(moderation.path("hazard").asBoolean()).isTrue();
        assertThat(moderation.path("violence").asBoolean()).isTrue();
        assertThat(moderation.path("violenceScore").asDouble()).isGreaterThan(0.5);
        assertThat(moderation.path("selfHarm").asBoolean()).isFalse();
        assertThat(moderation.path("pii").asBoolean()).isTrue();
        assertThat(moderation.path("piiEmail").asBoolean()).isTrue();
        // the script's eight generations, and none for the blocked prompts
        assertThat(UPSTREAM.generationRequests()).isEqualTo(generationsBefore + 8);
        // each stream's first text came while the upstream was held before its last chunk: only the replies
        // before it in the script had completed (the plain chat; then also the chat stream and the Responses call)
        assertThat(completedAtFirst).containsExactly(before + 1, before + 3);
    }

    private static JsonNode result(List<JsonNode> lines, String name, int index) {
        return lines.stream()
                .filter(l -> l.path("case").asString().equals(name))
                .skip(index)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line " + index + " for case " + name + " in " + lines));
    }
}
