package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a batch input file (JSON Lines, OpenAI's format) line by line, checking each line the way it will be run:
 * a JSON object with a unique {@code custom_id}, {@code "method": "POST"}, a {@code url} this gateway batches and
 * a {@code body} object naming its {@code model}, not streamed. The first bad line fails the whole file with its
 * line number. Blank lines are skipped (but counted, so the numbers match an editor's).
 */
public final class InputFile {

    public static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions");

    /** What a valid file holds: its requests, and the distinct models and endpoints they name. */
    public record Summary(long lines, Set<String> models, Set<String> urls) {}

    private InputFile() {}

    public static Summary check(Path file, int maxLines) {
        Set<String> ids = new HashSet<>();
        Set<String> models = new TreeSet<>();
        Set<String> urls = new TreeSet<>();
        long[] count = {0};
        read(file, line -> {
            if (!ids.add(line.customId())) {
                throw bad(
                        line.number(),
                        "custom_id '" + line.customId() + "' appears more than once; each " + "request needs its own");
            }
            if (++count[0] > maxLines) {
                throw bad(line.number(), "the file holds more than " + maxLines + " requests (warden.batch.max-lines)");
            }
            models.add(line.model());
            urls.add(line.url());
        });
        if (count[0] == 0) {
            throw ApiErrors.invalidFile("the file holds no requests");
        }
        return new Summary(count[0], models, urls);
    }

    /** Each line in order; a malformed one fails with its line number. */
    public static void read(Path file, Consumer<InputLine> each) {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader reader =
                new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
            int number = 0;
            String text;
            while (true) {
                try {
                    text = reader.readLine();
                } catch (CharacterCodingException e) {
                    throw bad(number + 1, "the line is not valid UTF-8");
                }
                if (text == null) {
                    return;
                }
                number++;
                if (!text.isBlank()) {
                    each.accept(parse(number, text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a batch input file", e);
        }
    }

    static InputLine parse(int number, String text) {
        JsonNode node;
        try {
            node = StoredFile.JSON.readTree(text);
        } catch (JacksonException e) {
            throw bad(number, "the line is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw bad(number, "each line must be a JSON object with custom_id, method, url and body");
        }
        JsonNode id = node.get("custom_id");
        if (id == null || !id.isString() || id.asString().isBlank()) {
            throw bad(number, "custom_id is missing or not a non-empty string");
        }
        if (id.asString().length() > 512) {
            throw bad(number, "custom_id is longer than 512 characters");
        }
        JsonNode method = node.get("method");
        if (method == null || !"POST".equals(method.asString(""))) {
            throw bad(number, "method must be \"POST\"");
        }
        JsonNode url = node.get("url");
        if (url == null || !url.isString() || !ENDPOINTS.contains(url.asString())) {
            throw bad(number, "url must be one of " + new TreeSet<>(ENDPOINTS));
        }
        JsonNode body = node.get("body");
        if (body == null || !body.isObject()) {
            throw bad(number, "body must be a JSON object, the request as the endpoint takes it");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isString() || model.asString().isBlank()) {
            throw bad(number, "body.model is missing");
        }
        if (body.path("stream").asBoolean(false)) {
            throw bad(number, "a batch request cannot stream (body.stream must be false or absent)");
        }
        return new InputLine(
                number, id.asString(), url.asString(), model.asString(), StoredFile.JSON.writeValueAsBytes(body));
    }

    static ApiException bad(int line, String problem) {
        return ApiErrors.invalidFileLine(line, problem);
    }
}
