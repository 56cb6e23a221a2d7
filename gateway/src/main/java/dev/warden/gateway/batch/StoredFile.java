package dev.warden.gateway.batch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A file of the Files API: who owns it and what it holds. Its content lives beside this metadata in the
 * {@link FileStore}; {@code sha256} is the content's digest, also kept in the audit record of its upload or creation.
 *
 * @param purpose {@code batch} for uploads, {@code batch_output} for the files a batch writes
 * @param lines       requests in a batch input file, result lines in an output file
 * @param attribution what the licence of the model that wrote an output file requires to be displayed with it
 *                    ({@code Built with Llama}); empty for uploads
 */
public record StoredFile(
        String id,
        String tenant,
        String filename,
        String purpose,
        long bytes,
        long createdAt,
        String sha256,
        long lines,
        String attribution) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** OpenAI's file object, as {@code GET /v1/files/{id}} answers it. */
    public ObjectNode openAi() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("object", "file");
        n.put("bytes", bytes);
        n.put("created_at", createdAt);
        n.put("filename", filename);
        n.put("purpose", purpose);
        n.put("status", "processed");
        n.putNull("status_details");
        return n;
    }

    byte[] stored() {
        ObjectNode n = openAi();
        n.put("tenant", tenant);
        n.put("sha256", sha256);
        n.put("lines", lines);
        n.put("attribution", attribution);
        return JSON.writeValueAsBytes(n);
    }

    static StoredFile parse(byte[] bytes) {
        JsonNode n = JSON.readTree(bytes);
        return new StoredFile(
                n.get("id").asString(),
                n.get("tenant").asString(),
                n.get("filename").asString(),
                n.get("purpose").asString(),
                n.get("bytes").asLong(),
                n.get("created_at").asLong(),
                n.get("sha256").asString(),
                n.path("lines").asLong(),
                n.path("attribution").asString(""));
    }
}
