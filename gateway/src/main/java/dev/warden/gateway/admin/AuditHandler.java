package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.policy.audit.AuditExport;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStoreException;
import dev.warden.policy.audit.BucketCount;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.CountKey;
import dev.warden.policy.audit.RefusedAuthentication;
import dev.warden.policy.audit.Retention;
import dev.warden.policy.audit.TimeBucket;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantDirectory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit endpoints for compliance dashboards. The store is JDBC, so every store call runs on
 * {@link Schedulers#boundedElastic()}, never on the event loop.
 */
public final class AuditHandler {

    private static final Logger log = LoggerFactory.getLogger(AuditHandler.class);

    static final MediaType CSV = MediaType.parseMediaType("text/csv;charset=UTF-8");
    static final MediaType JSON_LINES = MediaType.parseMediaType("application/x-ndjson");
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** Blocking export writes go to the same bounded pool as the store's other calls. */
    private static final Executor BLOCKING = task -> Schedulers.boundedElastic().schedule(task);

    private final AuditLog auditLog;
    private final AuditStore store;
    private final TenantDirectory tenants;
    private final JsonMapper json;
    private final AuditJson view;
    private final Retention retention;
    /** For the reserved chain of refused authentications, which has no tenant and so no tenant's period. */
    private final int authFailureRetentionDays;
    /** Runs retention one at a time: two concurrent runs would append two checkpoints for the same anchor. */
    private final ReentrantLock retentionLock = new ReentrantLock();

    /** One chain to age out, its periods and whether a legal hold keeps everything. */
    private record Target(String chain, int days, int contentDays, boolean legalHold) {
        Target(String chain, int days) {
            this(chain, days, days, false);
        }
    }

    private final AdminActions actions;
    private final dev.warden.gateway.telemetry.ChainVerifyMetrics verifications;

    AuditHandler(
            AuditLog auditLog,
            TenantDirectory tenants,
            JsonMapper json,
            int authFailureRetentionDays,
            AdminActions actions,
            dev.warden.gateway.telemetry.ChainVerifyMetrics verifications) {
        this.actions = actions;
        this.verifications = verifications;
        this.auditLog = auditLog;
        this.store = auditLog.store();
        this.tenants = tenants;
        this.json = json;
        this.view = new AuditJson(json);
        this.retention = new Retention(auditLog);
        this.authFailureRetentionDays = authFailureRetentionDays;
    }

    /** {@code GET /admin/audit/records}: one page, newest first, and the cursor of the next. */
    Mono<ServerResponse> records(ServerRequest request) {
        return Mono.defer(() -> {
            AuditQuery query =
                    AuditParameters.of(request.queryParams(), "limit", "cursor").query();
            AdminIdentity who = AdminAuthFilter.identity(request.exchange());
            return blocking(() -> store.query(query)).flatMap(page -> {
                boolean content =
                        who.mayReadContent() && page.records().stream().anyMatch(r -> r.content() != null);
                ObjectNode body = view.page(page, who.mayReadContent());
                if (!content) {
                    return ok(body);
                }
                // Stored content is handed out only once its reading is on the record.
                // The subject is the tenant whose content was shown, when it is one tenant (it usually is).
                List<String> shown = page.records().stream()
                        .filter(r -> r.content() != null)
                        .map(AuditRecord::tenant)
                        .distinct()
                        .toList();
                String subject = shown.size() == 1 ? shown.get(0) : query.tenant();
                return actions.record(
                                request.exchange(),
                                AdminActions.Action.CONTENT_VIEW,
                                who,
                                subject,
                                java.util.Map.of(
                                        "query",
                                        nz(request.uri().getRawQuery()),
                                        "records",
                                        page.entries().size()))
                        .onErrorMap(e -> AuditHandler.notRecorded())
                        .then(ok(body));
            });
        });
    }

    /** {@code GET /admin/audit/counts}: per time bucket, requests by decision, by outcome and by category. */
    Mono<ServerResponse> counts(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters params = AuditParameters.of(request.queryParams(), "bucket");
            TimeBucket bucket = params.bucket();
            AuditQuery filter = params.query();
            return blocking(() -> {
                        List<BucketCount> decisions = store.count(filter, bucket, CountKey.DECISION);
                        List<BucketCount> outcomes = store.count(filter, bucket, CountKey.OUTCOME);
                        List<BucketCount> categories = store.count(filter, bucket, CountKey.CATEGORY);
                        return view.counts(bucket, decisions, outcomes, categories);
                    })
                    .flatMap(this::ok);
        });
    }

    /**
     * {@code GET /admin/audit/export?format=csv|jsonl}: every matching record, streamed page by page, so an export
     * of any size holds one page in memory. A store failure once streaming has begun can only cut the download
     * short, so the store (and the cursor) are tried first, while a clean error can still be sent.
     */
    Mono<ServerResponse> export(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters params = AuditParameters.of(request.queryParams(), "format", "cursor");
            String format = params.choice("format", "csv", "jsonl");
            AuditQuery query = params.query();
            AdminIdentity who = AdminAuthFilter.identity(request.exchange());
            if (format.equals("jsonl") && !who.mayReadContent()) {
                throw contentNotGranted();
            }
            AuditExport export = new AuditExport(store);
            return blocking(() -> store.query(query.toBuilder().limit(1).build()))
                    .flatMap(probe -> actions.record(
                                    request.exchange(),
                                    AdminActions.Action.EXPORT,
                                    who,
                                    query.tenant(),
                                    java.util.Map.of(
                                            "format",
                                            format,
                                            "query",
                                            nz(request.uri().getRawQuery())))
                            .onErrorMap(e -> AuditHandler.notRecorded())
                            .thenReturn(probe))
                    .map(probe -> {
                        Publisher<DataBuffer> body = DataBufferUtils.outputStreamPublisher(
                                out -> {
                                    try {
                                        long rows = format.equals("csv")
                                                ? export.csv(query, out)
                                                : export.jsonLines(query, out);
                                        log.info("audit export ({}) of {} record(s)", format, rows);
                                    } catch (RuntimeException e) {
                                        log.error("audit export ({}) failed part-way: {}", format, e.toString());
                                        throw e;
                                    }
                                },
                                request.exchange().getResponse().bufferFactory(),
                                BLOCKING);
                        return body;
                    })
                    .flatMap(body -> ServerResponse.ok()
                            .contentType(format.equals("csv") ? CSV : JSON_LINES)
                            .header(
                                    HttpHeaders.CONTENT_DISPOSITION,
                                    ContentDisposition.attachment()
                                            .filename("warden-audit-" + FILE_TIME.format(Instant.now()) + "." + format)
                                            .build()
                                            .toString())
                            .header(HttpHeaders.CACHE_CONTROL, "no-store")
                            .body(BodyInserters.fromDataBuffers(body)));
        });
    }

    /**
     * {@code GET /admin/audit/verify?tenant=} (or {@code chain=}): walks the tenant's hash chain and names the first
     * link that does not hold; without a tenant, every chain in the store.
     */
    Mono<ServerResponse> verify(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters params = AuditParameters.only(request.queryParams(), Set.of("tenant", "chain"));
            String tenant = params.text("tenant");
            String chain = params.text("chain");
            if (tenant != null && chain != null && !tenant.equals(chain)) {
                throw ApiErrors.invalidRequest("'chain' and 'tenant' name the same thing; give one of them", "chain");
            }
            String which = tenant != null ? tenant : chain;
            // With the operator key, every chain is also checked against the latest signed chain-head checkpoint.
            ChainVerifier verifier = auditLog.checkpointKey()
                    .map(key -> new ChainVerifier(store, key))
                    .orElseGet(() -> new ChainVerifier(store));
            if (which == null) {
                return blocking(() -> {
                            var reports = verifier.verifyAll();
                            verifications.verified(reports);
                            return withCheckpoints(view.chains(reports));
                        })
                        .flatMap(this::ok);
            }
            return blocking(() -> {
                        ChainVerifier.Report report = verifier.verify(which);
                        verifications.verified(java.util.List.of(report));
                        return withCheckpoints(view.chain(report));
                    })
                    .flatMap(this::ok);
        });
    }

    /**
     * Adds what an auditor keeps to check later runs against: the operator's public key and the latest signed
     * checkpoint of every writer instance, exactly as signed ({@code body}, {@code signature}).
     */
    private ObjectNode withCheckpoints(ObjectNode verified) {
        var key = auditLog.checkpointKey();
        verified.put("checkpoints_checked", key.isPresent());
        verified.put(
                "operator_public_key",
                key.map(k -> java.util.Base64.getEncoder().encodeToString(k.getEncoded()))
                        .orElse(null));
        ArrayNode checkpoints = verified.putArray("checkpoints");
        store.latestCheckpoints().values().forEach(c -> checkpoints
                .addObject()
                .put("instance", c.instance())
                .put("time", c.time().toString())
                .put("key_id", c.keyId())
                .put("chains", c.heads().size())
                .put("signed", key.map(c::signedBy).orElse(false))
                .put("body", c.body())
                .put("signature", c.signature()));
        return verified;
    }

    /**
     * {@code POST /admin/audit/retention[?tenant=]}: deletes each tenant's records older than its
     * {@code audit.retention-days}. Each deletion is attested by a checkpoint appended to the chain first, so the
     * chain still verifies afterwards. Chains of tenants no longer in the tenants file are left alone: with no
     * retention period configured, deleting their records would be a guess. The reserved chain of refused
     * authentications ({@link RefusedAuthentication#CHAIN}) has its own period, {@code
     * warden.audit.auth-failures-retention-days}: without one it would only ever grow.
     */
    Mono<ServerResponse> applyRetention(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters params = AuditParameters.only(request.queryParams(), Set.of("tenant"));
            String only = params.text("tenant");
            return runRetention(request.exchange(), AdminAuthFilter.identity(request.exchange()), only)
                    .flatMap(this::ok);
        });
    }

    /**
     * Runs retention for one tenant (or the reserved chain of refused authentications) or, with {@code only} null,
     * for all; the run is recorded as a {@code retention.run} admin action. The console's retention button and
     * {@code POST /admin/audit/retention} both come here.
     */
    public Mono<ObjectNode> runRetention(
            org.springframework.web.server.ServerWebExchange exchange, AdminIdentity who, String only) {
        return Mono.defer(() -> {
            if (!who.mayWrite()) {
                return Mono.error(ApiErrors.adminRoleReadOnly("retention deletes records; it needs an admin key"));
            }
            List<Target> targets = new ArrayList<>();
            if (only == null) {
                tenants.tenants().forEach(t -> targets.add(target(t)));
                targets.add(new Target(RefusedAuthentication.CHAIN, authFailureRetentionDays));
            } else if (only.equals(RefusedAuthentication.CHAIN)) {
                targets.add(new Target(RefusedAuthentication.CHAIN, authFailureRetentionDays));
            } else {
                targets.add(target(tenants.tenant(only).orElseThrow(() -> ApiErrors.tenantNotFound("tenant", only))));
            }
            // retain() records the run as a retention.run admin action, naming the key by role and id.
            String actor = who.actor();
            return blocking(() -> retain(targets, only == null, actor));
        });
    }

    /** An auditor without the grant asks for something that carries stored content verbatim. */
    static ApiException contentNotGranted() {
        return ApiErrors.contentNotGranted(
                "format",
                "JSON Lines carries each record's hashed body verbatim, stored "
                        + "content included; this key may not read content (it needs the content-read grant). Export "
                        + "format=csv instead");
    }

    /** The action's record could not be kept, so the action is not done. */
    static ApiException notRecorded() {
        return ApiErrors.auditUnavailable(
                "audit_store_unavailable",
                "this action cannot be recorded right now, so it is not done; try again later");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Target target(Tenant tenant) {
        var audit = tenant.policy().audit();
        return new Target(tenant.id(), audit.metadataRetentionDays(), audit.contentRetentionDays(), audit.legalHold());
    }

    /**
     * Ages out each target, then records the run as a {@code retention.run} admin action (who, per tenant what was
     * deleted up to where, which tenants a legal hold kept), so that every deletion has its own record.
     */
    private ObjectNode retain(List<Target> targets, boolean reportOthers, String actor) {
        retentionLock.lock();
        try {
            ObjectNode root = json.createObjectNode();
            root.put("object", "audit.retention");
            ArrayNode data = root.putArray("data");
            long deleted = 0;
            boolean failed = false;
            List<Object> runs = new ArrayList<>();
            for (Target t : targets) {
                int days = t.days();
                if (t.legalHold()) {
                    data.addObject()
                            .put("tenant", t.chain())
                            .put("retention_days", days)
                            .put("deleted", 0)
                            .put("legal_hold", true);
                    runs.add(java.util.Map.of("tenant", t.chain(), "legalHold", true, "deleted", 0));
                    continue;
                }
                try {
                    Retention.Result result = retention.apply(t.chain(), Duration.ofDays(days));
                    // Content goes after its own period; the records stay and still verify (AuditRecord).
                    long erased = retention.eraseContent(t.chain(), Duration.ofDays(t.contentDays()));
                    deleted += result.deleted();
                    data.add(view.retention(result, days)
                            .put("content_retention_days", t.contentDays())
                            .put("content_erased", erased)
                            .put("legal_hold", false));
                    java.util.Map<String, Object> run = new java.util.TreeMap<>();
                    run.put("tenant", t.chain());
                    run.put("metadataRetentionDays", days);
                    run.put("contentRetentionDays", t.contentDays());
                    run.put("cutoff", result.cutoff().toString());
                    run.put("deleted", result.deleted());
                    run.put("contentErased", erased);
                    result.anchor().ifPresent(a -> run.put("anchorSeq", a.seq()));
                    runs.add(run);
                    if (result.deleted() > 0) {
                        log.info(
                                "retention: deleted {} audit entries of tenant {} older than {} day(s), up to seq {}",
                                result.deleted(),
                                t.chain(),
                                days,
                                result.anchor().map(a -> a.seq()).orElse(0L));
                    }
                } catch (AuditStoreException e) {
                    failed = true;
                    log.error("retention for tenant {} failed: {}", t.chain(), e.getMessage());
                    data.addObject()
                            .put("tenant", t.chain())
                            .put("retention_days", days)
                            .put("deleted", 0)
                            .put("error", e.getMessage());
                    runs.add(java.util.Map.of("tenant", t.chain(), "error", String.valueOf(e.getMessage())));
                }
            }
            root.put("deleted", deleted);
            root.put("complete", !failed);
            ArrayNode skipped = root.putArray("skipped");
            if (reportOthers) {
                Set<String> known = new java.util.HashSet<>();
                targets.forEach(t -> known.add(t.chain()));
                for (String chain : store.tenants()) {
                    if (chain.equals(dev.warden.policy.audit.AdminAction.CHAIN)) {
                        skipped.addObject()
                                .put("tenant", chain)
                                .put(
                                        "reason",
                                        "admin actions (policy changes, "
                                                + "retention runs, exports) are kept: they are the record of what happened to the "
                                                + "records");
                    } else if (!known.contains(chain)) {
                        skipped.addObject()
                                .put("tenant", chain)
                                .put(
                                        "reason",
                                        "not in the tenants file, so it has "
                                                + "no retention period; its records are kept");
                    }
                }
            }
            recordRun(actor, deleted, !failed, runs);
            return root;
        } finally {
            retentionLock.unlock();
        }
    }

    private void recordRun(String actor, long deleted, boolean complete, List<Object> runs) {
        java.util.Map<String, Object> details = new java.util.TreeMap<>();
        details.put("deleted", deleted);
        details.put("complete", complete);
        details.put("tenants", runs);
        try {
            auditLog.appendAction(dev.warden.policy.audit.AdminAction.of(
                            Instant.now(),
                            "retention.run",
                            actor,
                            runs.size() == 1 ? String.valueOf(((java.util.Map<?, ?>) runs.get(0)).get("tenant")) : null,
                            details))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The deletions are attested in their chains by retention checkpoints either way.
            log.error("the retention run by {} could not be recorded as an admin action: {}", actor, e.toString());
        }
    }

    private Mono<ServerResponse> ok(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.writeValueAsBytes(body));
    }

    private static <T> Mono<T> blocking(Callable<T> call) {
        return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic()).onErrorMap(AuditHandler::toApi);
    }

    /** The store's own exceptions, as the client should see them. */
    private static Throwable toApi(Throwable e) {
        if (e instanceof ApiException) {
            return e;
        }
        if (e instanceof IllegalArgumentException
                && String.valueOf(e.getMessage()).contains("cursor")) {
            return ApiErrors.invalidRequest("'cursor' is not a next_cursor returned by this endpoint", "cursor");
        }
        if (e instanceof AuditStoreException) {
            log.error("audit store call failed: {}", e.getMessage());
            return ApiErrors.auditUnavailable(
                    "audit_store_unavailable", "the audit store cannot be read right now; try again later");
        }
        return e;
    }
}
