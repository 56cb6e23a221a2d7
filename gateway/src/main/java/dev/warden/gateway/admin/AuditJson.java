package dev.warden.gateway.admin;

import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.BucketCount;
import dev.warden.policy.audit.ChainHead;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Retention;
import dev.warden.policy.audit.TimeBucket;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON of the audit endpoints: snake_case, times in ISO-8601 UTC, outcomes and directions in lower case. */
final class AuditJson {

    private final JsonMapper json;

    AuditJson(JsonMapper json) {
        this.json = json;
    }

    ObjectNode page(AuditPage page) {
        return page(page, true);
    }

    /** With {@code withContent} false, stored content is left out and each record says it was withheld. */
    ObjectNode page(AuditPage page, boolean withContent) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ChainedEntry e : page.entries()) {
            data.add(record(e, withContent));
        }
        root.put("has_more", page.nextCursor().isPresent());
        root.put("next_cursor", page.nextCursor().orElse(null));
        return root;
    }

    ObjectNode record(ChainedEntry e) {
        return record(e, true);
    }

    ObjectNode record(ChainedEntry e, boolean withContent) {
        AuditRecord r = (AuditRecord) e.entry();
        ObjectNode n = json.createObjectNode();
        n.put("object", "audit.record");
        n.put("tenant", r.tenant());
        n.put("sequence", e.seq());
        n.put("request_id", r.requestId());
        n.put("client_request_id", r.clientRequestId());
        if (r.traceId() != null) {
            n.put("trace_id", r.traceId());
        }
        n.put("time", r.time().toString());
        n.put("key_id", r.keyId());
        n.put("model", r.model());
        n.put("purpose", r.purpose());
        n.put("outcome", lower(r.outcome().name()));
        n.put("decision", r.decision());
        n.put("rule", r.rule());
        // The digest of the tenants and licence files the decision was made under (null before it was recorded).
        n.put("policy_version", r.policyVersion());
        n.put("http_status", r.httpStatus());
        if (r.origin() != null) {
            // Only refused authentications carry it (AuditRecord.Origin); other records have a tenant instead.
            n.putObject("origin")
                    .put("route", r.origin().route())
                    .put("client_address", r.origin().clientAddress());
        }
        if (r.batch() != null) {
            // Only Batch API records carry it: a line's batch and custom_id, or a stored file and its SHA-256.
            n.putObject("batch")
                    .put("batch_id", r.batch().batchId())
                    .put("custom_id", r.batch().customId())
                    .put("file_id", r.batch().fileId())
                    .put("file_sha256", r.batch().fileSha256());
        }
        n.put("streaming", r.streaming());
        n.put("tokens_released", r.tokensReleased());
        n.putObject("usage")
                .put("prompt_tokens", r.usage().prompt())
                .put("completion_tokens", r.usage().completion())
                .put("total_tokens", r.usage().total());
        n.putObject("latency_ms")
                .put("total", r.latencies().total().toMillis())
                .put("guard_input", r.latencies().guardInput().toMillis())
                .put("inference", r.latencies().inference().toMillis())
                .put("guard_output", r.latencies().guardOutput().toMillis());
        ArrayNode categories = n.putArray("categories");
        r.categories().forEach(categories::add);
        ArrayNode verdicts = n.putArray("verdicts");
        for (ClassifierVerdict v : r.verdicts()) {
            ObjectNode vn = verdicts.addObject()
                    .put("classifier", v.name())
                    .put("version", v.version())
                    .put("direction", lower(v.direction().name()))
                    .put("status", lower(v.status().name()))
                    .put("latency_ms", v.latency().toMillis());
            ObjectNode scores = vn.putObject("scores");
            new TreeMap<>(v.scores()).forEach(scores::put);
            ArrayNode flagged = vn.putArray("categories");
            v.categories().forEach(flagged::add);
            if (v.detail() != null) {
                vn.put("detail", v.detail());
            }
        }
        n.put("prompt_sha256", r.promptSha256());
        n.put("response_sha256", r.responseSha256());
        // What made the two fingerprints above: keyed HMAC-SHA256, or plain SHA-256 for records from before the key.
        n.put("fingerprint", r.fingerprint() == null ? "sha256" : r.fingerprint());
        if (r.content() != null && !withContent) {
            // The record has content; this key may not read it (an auditor without the content-read grant).
            n.put("content_withheld", true);
        } else if (r.content() != null) {
            n.putObject("content")
                    .put("prompt", r.content().prompt())
                    .put("response", r.content().response());
        }
        // The record kept content beside it, and the tenant's content period has erased it.
        n.put("content_erased", r.contentErased());
        n.put("prev_hash", e.prevHash());
        n.put("hash", e.hash());
        return n;
    }

    /**
     * One object per bucket that has records, oldest first. Every request has exactly one outcome and one decision,
     * so {@code total} equals the sum of either breakdown; a request can have several categories or none.
     */
    ObjectNode counts(
            TimeBucket bucket, List<BucketCount> decisions, List<BucketCount> outcomes, List<BucketCount> categories) {
        Map<java.time.Instant, ObjectNode> buckets = new TreeMap<>();
        java.util.function.Function<java.time.Instant, ObjectNode> at = start -> buckets.computeIfAbsent(start, s -> {
            ObjectNode b = json.createObjectNode();
            b.put("start", s.toString());
            b.put("end", s.plusMillis(bucket.millis()).toString());
            b.put("total", 0L);
            b.putObject("decisions");
            b.putObject("outcomes");
            b.putObject("categories");
            return b;
        });
        for (BucketCount c : outcomes) {
            ObjectNode b = at.apply(c.bucket());
            ((ObjectNode) b.get("outcomes")).put(lower(c.key()), c.count());
            b.put("total", b.get("total").longValue() + c.count());
        }
        for (BucketCount c : decisions) {
            ((ObjectNode) at.apply(c.bucket()).get("decisions")).put(c.key().isEmpty() ? "none" : c.key(), c.count());
        }
        for (BucketCount c : categories) {
            ((ObjectNode) at.apply(c.bucket()).get("categories")).put(c.key(), c.count());
        }
        ObjectNode root = json.createObjectNode();
        root.put("object", "audit.counts");
        root.put("bucket", lower(bucket.name()));
        ArrayNode data = root.putArray("data");
        buckets.values().forEach(data::add);
        return root;
    }

    /** One chain: {@code {tenant, valid, checked, anchor, head, first_broken}}. */
    ObjectNode chain(ChainVerifier.Report report) {
        ObjectNode n = json.createObjectNode();
        n.put("tenant", report.tenant());
        n.put("instance", report.instance());
        n.put("valid", report.intact());
        n.put("checked", report.entriesChecked());
        n.set("anchor", head(report.anchor()));
        n.set("head", head(report.head()));
        n.set("first_broken", report.firstBroken().map(this::broken).orElse(null));
        return n;
    }

    /** Several chains: valid when all are; {@code first_broken} is the first broken link of the first broken chain. */
    ObjectNode chains(List<ChainVerifier.Report> reports) {
        ObjectNode n = json.createObjectNode();
        n.put("valid", reports.stream().allMatch(ChainVerifier.Report::intact));
        n.put(
                "checked",
                reports.stream().mapToLong(ChainVerifier.Report::entriesChecked).sum());
        n.set(
                "first_broken",
                reports.stream()
                        .flatMap(r -> r.firstBroken().stream())
                        .findFirst()
                        .map(this::broken)
                        .orElse(null));
        ArrayNode chains = n.putArray("chains");
        reports.forEach(r -> chains.add(chain(r)));
        return n;
    }

    private ObjectNode broken(ChainVerifier.BrokenLink link) {
        return json.createObjectNode()
                .put("tenant", link.tenant())
                .put("instance", link.instance())
                .put("sequence", link.seq())
                .put("request_id", link.requestId())
                .put("reason", link.reason());
    }

    private ObjectNode head(ChainHead head) {
        return json.createObjectNode().put("sequence", head.seq()).put("hash", head.hash());
    }

    ObjectNode retention(Retention.Result result, int retentionDays) {
        ObjectNode n = json.createObjectNode();
        n.put("tenant", result.tenant());
        n.put("retention_days", retentionDays);
        n.put("cutoff", result.cutoff().toString());
        n.put("deleted", result.deleted());
        n.set("anchor", result.anchor().map(this::head).orElse(null));
        n.set(
                "checkpoint",
                result.checkpoint()
                        .map(c -> json.createObjectNode()
                                .put("sequence", c.seq())
                                .put("request_id", c.entry().requestId())
                                .put("hash", c.hash()))
                        .orElse(null));
        return n;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
