package dev.warden.gateway.batch;

import java.time.Instant;
import java.util.OptionalLong;
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
 * @param expiresAt   when the {@link RetentionSweeper} deletes it (epoch seconds): the client's
 *                    {@link ExpiresAfter} within the operator's and the tenant's retention
 *                    ({@link FileStore#expiresAt}); empty when it is kept until deleted ({@code "expires_at": null},
 *                    as OpenAI answers). Metadata written before files expired has no {@code expires_at} at all;
 *                    such a file gets the retention counted from its creation when read
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
        String attribution,
        OptionalLong expiresAt) {

    static final String BATCH = "batch";
    static final String BATCH_OUTPUT = "batch_output";

    static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Past its expiry, if it has one: answered as unknown, and deleted by the next sweep unless a running batch still
     * reads it.
     */
    boolean expired(Instant now) {
        return expiresAt.isPresent() && now.getEpochSecond() >= expiresAt.getAsLong();
    }

    /** OpenAI's file object, as {@code GET /v1/files/{id}} answers it. */
    public ObjectNode openAi() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("object", "file");
        n.put("bytes", bytes);
        n.put("created_at", createdAt);
        if (expiresAt.isPresent()) {
            n.put("expires_at", expiresAt.getAsLong());
        } else {
            n.putNull("expires_at");
        }
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

    /** @param store gives the expiry of a file whose metadata has none (written before files expired) */
    static StoredFile parse(byte[] bytes, FileStore store) {
        JsonNode n = JSON.readTree(bytes);
        String tenant = n.get("tenant").asString();
        long createdAt = n.get("created_at").asLong();
        String purpose = n.get("purpose").asString();
        JsonNode expiresAt = n.get("expires_at");
        return new StoredFile(
                n.get("id").asString(),
                tenant,
                n.get("filename").asString(),
                purpose,
                n.get("bytes").asLong(),
                createdAt,
                n.get("sha256").asString(),
                n.path("lines").asLong(),
                n.path("attribution").asString(""),
                expiresAt == null
                        ? store.expiresAt(tenant, purpose, createdAt, null)
                        : expiresAt.isNull() ? OptionalLong.empty() : OptionalLong.of(expiresAt.asLong()));
    }
}
