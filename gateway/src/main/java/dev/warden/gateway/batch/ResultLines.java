package dev.warden.gateway.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lines of a batch's output and error files in OpenAI's format:
 * {@code {"id": "batch_req_...", "custom_id", "response": {"status_code", "request_id", "body"}, "error": null}},
 * or, for a request that never ran, {@code "response": null} and {@code "error": {"code", "message"}}; a response
 * the output guard withheld keeps its response and has {@code "error": {"code": "content_filter"}}. The response
 * also carries the headers a live client would have been shown with it ({@code x-model-attribution},
 * {@code x-warden-decision}).
 */
final class ResultLines {

    private ResultLines() {}

    static byte[] response(InputLine line, LineOutcome outcome) {
        ObjectNode n = StoredFile.JSON.createObjectNode();
        n.put("id", FileStore.newId("batch_req_"));
        n.put("custom_id", line.customId());
        ObjectNode response = n.putObject("response");
        response.put("status_code", outcome.status());
        response.put("request_id", outcome.requestId());
        response.set("body", StoredFile.JSON.readTree(outcome.body()));
        if (!outcome.headers().isEmpty()) {
            ObjectNode headers = response.putObject("headers");
            outcome.headers().forEach(headers::put);
        }
        if (outcome.withheld()) {
            n.putObject("error")
                    .put("code", "content_filter")
                    .put(
                            "message",
                            "the output guard withheld the response; see response.body for the categories and the rule");
        } else {
            n.putNull("error");
        }
        return StoredFile.JSON.writeValueAsBytes(n);
    }

    static byte[] error(InputLine line, String code, String message) {
        ObjectNode n = StoredFile.JSON.createObjectNode();
        n.put("id", FileStore.newId("batch_req_"));
        n.put("custom_id", line.customId());
        n.putNull("response");
        n.putObject("error").put("code", code).put("message", message);
        return StoredFile.JSON.writeValueAsBytes(n);
    }

    /** The output and error files' ids follow from the batch's, so finalizing twice finds what it did before. */
    static String outputFileId(String batchId) {
        return "file-" + batchId.substring("batch_".length()) + "out";
    }

    static String errorFileId(String batchId) {
        return "file-" + batchId.substring("batch_".length()) + "err";
    }

    static long count(Path file) {
        long lines = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
        return lines;
    }
}
