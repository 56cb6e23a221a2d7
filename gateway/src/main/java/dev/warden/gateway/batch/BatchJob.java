package dev.warden.gateway.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One batch: what was asked (input file, endpoint, metadata and the declared purpose), by whom (tenant and key id),
 * where it stands (status and the time of each transition) and what it produced. Mutated only by the
 * {@link BatchRunner} and the cancel request, under the job's own lock; persisted whole by the {@link BatchStore}
 * at each transition. Request counts are recomputed from the result logs after a restart, never trusted from here.
 */
public final class BatchJob {

    /** A validation problem, as OpenAI's {@code errors.data[]}. */
    public record Problem(String code, String message, String param, Integer line) {}

    final String id;
    final String tenant;
    final String keyId;
    final String endpoint;
    final String inputFileId;
    final String completionWindow;
    final Map<String, String> metadata;
    final String purpose;
    final String derivativeModel;
    final long createdAt;
    final long expiresAt;
    BatchStatus status = BatchStatus.VALIDATING;
    Long inProgressAt;
    Long finalizingAt;
    Long completedAt;
    Long failedAt;
    Long expiredAt;
    Long cancellingAt;
    Long cancelledAt;
    String outputFileId;
    String errorFileId;
    String attribution = "";
    /** The client's {@code output_expires_after} in seconds; null for the operator's retention of outputs. */
    Long outputExpiresAfter;

    long total;
    long completed;
    long failed;
    final List<Problem> errors = new ArrayList<>();

    BatchJob(
            String id,
            String tenant,
            String keyId,
            String endpoint,
            String inputFileId,
            String completionWindow,
            Map<String, String> metadata,
            String purpose,
            String derivativeModel,
            long createdAt,
            long expiresAt) {
        this.id = id;
        this.tenant = tenant;
        this.keyId = keyId;
        this.endpoint = endpoint;
        this.inputFileId = inputFileId;
        this.completionWindow = completionWindow;
        this.metadata = Map.copyOf(metadata);
        this.purpose = purpose;
        this.derivativeModel = derivativeModel;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }

    public String id() {
        return id;
    }

    public String tenant() {
        return tenant;
    }

    public synchronized BatchStatus status() {
        return status;
    }

    /** OpenAI's batch object. */
    public synchronized ObjectNode openAi() {
        ObjectNode n = StoredFile.JSON.createObjectNode();
        n.put("id", id);
        n.put("object", "batch");
        n.put("endpoint", endpoint);
        if (errors.isEmpty()) {
            n.putNull("errors");
        } else {
            ObjectNode e = n.putObject("errors");
            e.put("object", "list");
            var data = e.putArray("data");
            for (Problem p : errors) {
                ObjectNode d = data.addObject();
                d.put("code", p.code());
                d.put("message", p.message());
                d.put("param", p.param());
                if (p.line() == null) {
                    d.putNull("line");
                } else {
                    d.put("line", p.line());
                }
            }
        }
        n.put("input_file_id", inputFileId);
        n.put("completion_window", completionWindow);
        n.put("status", status.wire());
        n.put("output_file_id", outputFileId);
        n.put("error_file_id", errorFileId);
        n.put("created_at", createdAt);
        putTime(n, "in_progress_at", inProgressAt);
        n.put("expires_at", expiresAt);
        putTime(n, "finalizing_at", finalizingAt);
        putTime(n, "completed_at", completedAt);
        putTime(n, "failed_at", failedAt);
        putTime(n, "expired_at", expiredAt);
        putTime(n, "cancelling_at", cancellingAt);
        putTime(n, "cancelled_at", cancelledAt);
        n.putObject("request_counts")
                .put("total", total)
                .put("completed", completed)
                .put("failed", failed);
        ObjectNode meta = n.putObject("metadata");
        metadata.forEach(meta::put);
        return n;
    }

    /** When the batch reached its end state; null while it runs. */
    synchronized Long endedAt() {
        return switch (status) {
            case COMPLETED -> completedAt;
            case FAILED -> failedAt;
            case EXPIRED -> expiredAt;
            case CANCELLED -> cancelledAt;
            default -> null;
        };
    }

    private static void putTime(ObjectNode n, String field, Long seconds) {
        if (seconds == null) {
            n.putNull(field);
        } else {
            n.put(field, seconds);
        }
    }

    synchronized byte[] stored() {
        ObjectNode n = openAi();
        ObjectNode own = n.putObject("warden");
        own.put("tenant", tenant);
        own.put("key_id", keyId);
        own.put("purpose", purpose);
        own.put("derivative_model", derivativeModel);
        own.put("attribution", attribution);
        own.put("output_expires_after", outputExpiresAfter);
        return StoredFile.JSON.writeValueAsBytes(n);
    }

    static BatchJob parse(byte[] bytes) {
        JsonNode n = StoredFile.JSON.readTree(bytes);
        JsonNode own = n.get("warden");
        Map<String, String> metadata = new LinkedHashMap<>();
        n.path("metadata")
                .properties()
                .forEach(e -> metadata.put(e.getKey(), e.getValue().asString()));
        BatchJob job = new BatchJob(
                n.get("id").asString(),
                own.get("tenant").asString(),
                own.get("key_id").asString(),
                n.get("endpoint").asString(),
                n.get("input_file_id").asString(),
                n.get("completion_window").asString(),
                metadata,
                own.get("purpose").asString(),
                text(own.get("derivative_model")),
                n.get("created_at").asLong(),
                n.get("expires_at").asLong());
        job.status = BatchStatus.of(n.get("status").asString());
        job.inProgressAt = time(n, "in_progress_at");
        job.finalizingAt = time(n, "finalizing_at");
        job.completedAt = time(n, "completed_at");
        job.failedAt = time(n, "failed_at");
        job.expiredAt = time(n, "expired_at");
        job.cancellingAt = time(n, "cancelling_at");
        job.cancelledAt = time(n, "cancelled_at");
        job.outputFileId = text(n.get("output_file_id"));
        job.errorFileId = text(n.get("error_file_id"));
        job.attribution = own.path("attribution").asString("");
        job.outputExpiresAfter = time(own, "output_expires_after");
        JsonNode counts = n.path("request_counts");
        job.total = counts.path("total").asLong();
        job.completed = counts.path("completed").asLong();
        job.failed = counts.path("failed").asLong();
        for (JsonNode e : n.path("errors").path("data")) {
            job.errors.add(new Problem(
                    text(e.get("code")),
                    text(e.get("message")),
                    text(e.get("param")),
                    e.path("line").isNumber() ? e.get("line").asInt() : null));
        }
        return job;
    }

    private static Long time(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() ? null : v.asString();
    }
}
