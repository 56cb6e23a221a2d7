package dev.warden.policy.audit;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one serialisation of an {@link AuditEntry} that is hashed and stored: UTF-8 JSON, keys sorted, no
 * whitespace, absent values omitted, instants and durations in ISO-8601 (lossless). The mapping is written out
 * by hand rather than derived from the Java types, so that renaming a field in code cannot silently change the
 * bytes of new records. The stored text is what the chain hashes; verification never re-serialises, so a
 * change in how a future Jackson prints a double cannot break old chains.
 */
public final class CanonicalJson {

    /** Bumped when the mapping changes; old entries keep verifying because their stored bytes are hashed. */
    public static final int FORMAT = 1;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    private CanonicalJson() {}

    public static String text(AuditEntry entry) {
        return MAPPER.writeValueAsString(toMap(entry));
    }

    public static byte[] bytes(AuditEntry entry) {
        return text(entry).getBytes(StandardCharsets.UTF_8);
    }

    /** Any map/list/scalar tree with sorted keys; used for export lines and the spill file. */
    public static String write(Map<String, ?> tree) {
        return MAPPER.writeValueAsString(new TreeMap<>(tree));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(String json) {
        return MAPPER.readValue(json, Map.class);
    }

    public static AuditEntry parse(String json) {
        Map<String, Object> m = read(json);
        String kind = str(m, "kind");
        if (AuditEntry.Kind.CHECKPOINT.name().equals(kind)) {
            return new RetentionCheckpoint(
                    str(m, "tenant"),
                    Instant.parse(str(m, "time")),
                    Duration.parse(str(m, "period")),
                    Instant.parse(str(m, "cutoff")),
                    num(m, "anchorSeq"),
                    str(m, "anchorHash"));
        }
        if (AuditEntry.Kind.ADMIN.name().equals(kind)) {
            return AdminAction.fromMap(m);
        }
        if (!AuditEntry.Kind.REQUEST.name().equals(kind)) {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        return parseRecord(m);
    }

    static Map<String, Object> toMap(AuditEntry entry) {
        TreeMap<String, Object> m = new TreeMap<>();
        m.put("format", FORMAT);
        m.put("kind", entry.kind().name());
        m.put("tenant", entry.tenant());
        m.put("time", entry.time().toString());
        if (entry instanceof RetentionCheckpoint c) {
            m.put("period", c.period().toString());
            m.put("cutoff", c.cutoff().toString());
            m.put("anchorSeq", c.anchorSeq());
            m.put("anchorHash", c.anchorHash());
            return m;
        }
        if (entry instanceof AdminAction a) {
            a.putFields(m);
            return m;
        }
        AuditRecord r = (AuditRecord) entry;
        m.put("requestId", r.requestId());
        put(m, "keyId", r.keyId());
        put(m, "model", r.model());
        put(m, "purpose", r.purpose());
        m.put("outcome", r.outcome().name());
        List<Object> verdicts = new ArrayList<>();
        for (ClassifierVerdict v : r.verdicts()) {
            TreeMap<String, Object> vm = new TreeMap<>();
            vm.put("name", v.name());
            put(vm, "version", v.version());
            vm.put("direction", v.direction().name());
            vm.put("status", v.status().name());
            vm.put("scores", new TreeMap<>(v.scores()));
            vm.put("categories", v.categories());
            vm.put("latency", v.latency().toString());
            put(vm, "detail", v.detail());
            verdicts.add(vm);
        }
        m.put("verdicts", verdicts);
        put(m, "decision", r.decision());
        put(m, "rule", r.rule());
        m.put("streaming", r.streaming());
        m.put("tokensReleased", r.tokensReleased());
        m.put(
                "usage",
                new TreeMap<>(Map.of(
                        "prompt", r.usage().prompt(), "completion", r.usage().completion())));
        m.put(
                "latencies",
                new TreeMap<>(Map.of(
                        "total", r.latencies().total().toString(),
                        "guardInput", r.latencies().guardInput().toString(),
                        "inference", r.latencies().inference().toString(),
                        "guardOutput", r.latencies().guardOutput().toString())));
        m.put("httpStatus", r.httpStatus());
        put(m, "promptSha256", r.promptSha256());
        put(m, "responseSha256", r.responseSha256());
        // Absent for plain SHA-256, so records from before keyed fingerprints keep their bytes and FORMAT.
        put(m, "fingerprint", r.fingerprint());
        if (r.contentDigest() != null) {
            // Detached: the text is kept beside the body, which holds only its digest (AuditRecord).
            m.put("contentDigest", r.contentDigest());
        } else if (r.content() != null) {
            TreeMap<String, Object> cm = new TreeMap<>();
            put(cm, "prompt", r.content().prompt());
            put(cm, "response", r.content().response());
            m.put("content", cm);
        }
        // Optional and absent from every record that predates it, so adding it left FORMAT and old bytes as they were.
        if (r.origin() != null) {
            TreeMap<String, Object> om = new TreeMap<>();
            put(om, "route", r.origin().route());
            put(om, "clientAddress", r.origin().clientAddress());
            m.put("origin", om);
        }
        // Optional in the same way as origin: records without it hash exactly as before.
        put(m, "clientRequestId", r.clientRequestId());
        // Optional in the same way: records written before policy versions were recorded hash as before.
        put(m, "policyVersion", r.policyVersion());
        // Optional in the same way: absent while tracing is off.
        put(m, "traceId", r.traceId());
        // Optional in the same way: only Batch API records carry it.
        if (r.batch() != null) {
            TreeMap<String, Object> bm = new TreeMap<>();
            put(bm, "batchId", r.batch().batchId());
            put(bm, "customId", r.batch().customId());
            put(bm, "fileId", r.batch().fileId());
            put(bm, "fileSha256", r.batch().fileSha256());
            m.put("batch", bm);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static AuditRecord parseRecord(Map<String, Object> m) {
        List<ClassifierVerdict> verdicts = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("verdicts", List.of())) {
            Map<String, Object> vm = (Map<String, Object>) o;
            Map<String, Double> scores = new TreeMap<>();
            ((Map<String, Object>) vm.getOrDefault("scores", Map.of()))
                    .forEach((k, v) -> scores.put(k, ((Number) v).doubleValue()));
            verdicts.add(new ClassifierVerdict(
                    str(vm, "name"),
                    str(vm, "version"),
                    Direction.valueOf(str(vm, "direction")),
                    Verdict.Status.valueOf(str(vm, "status")),
                    scores,
                    (List<String>) vm.getOrDefault("categories", List.of()),
                    Duration.parse(str(vm, "latency")),
                    str(vm, "detail")));
        }
        Map<String, Object> usage = (Map<String, Object>) m.get("usage");
        Map<String, Object> lat = (Map<String, Object>) m.get("latencies");
        Map<String, Object> content = (Map<String, Object>) m.get("content");
        Map<String, Object> origin = (Map<String, Object>) m.get("origin");
        Map<String, Object> batch = (Map<String, Object>) m.get("batch");
        return new AuditRecord(
                str(m, "requestId"),
                Instant.parse(str(m, "time")),
                str(m, "tenant"),
                str(m, "keyId"),
                str(m, "model"),
                str(m, "purpose"),
                Outcome.valueOf(str(m, "outcome")),
                verdicts,
                str(m, "decision"),
                str(m, "rule"),
                Boolean.TRUE.equals(m.get("streaming")),
                num(m, "tokensReleased"),
                new AuditRecord.TokenUsage(num(usage, "prompt"), num(usage, "completion")),
                new AuditRecord.Latencies(
                        Duration.parse(str(lat, "total")),
                        Duration.parse(str(lat, "guardInput")),
                        Duration.parse(str(lat, "inference")),
                        Duration.parse(str(lat, "guardOutput"))),
                (int) num(m, "httpStatus"),
                str(m, "promptSha256"),
                str(m, "responseSha256"),
                content == null ? null : new AuditRecord.Content(str(content, "prompt"), str(content, "response")),
                origin == null ? null : new AuditRecord.Origin(str(origin, "route"), str(origin, "clientAddress")),
                str(m, "fingerprint"),
                str(m, "clientRequestId"),
                str(m, "policyVersion"),
                str(m, "traceId"),
                batch == null
                        ? null
                        : new AuditRecord.Batch(
                                str(batch, "batchId"),
                                str(batch, "customId"),
                                str(batch, "fileId"),
                                str(batch, "fileSha256")),
                str(m, "contentDigest"));
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    private static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }
}
