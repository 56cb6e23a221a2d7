package dev.warden.gateway.admin;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.AuditStoreException;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.OperatorKey;
import dev.warden.policy.audit.PolicyVersion;
import dev.warden.policy.evidence.EvidenceBundle;
import dev.warden.policy.tenant.TenantDirectory;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The evidence endpoints: signed evidence bundles ({@code POST /admin/audit/export}), the policy versions records
 * name ({@code GET /admin/policy/versions[/{digest}]}) and the admin-actions chain ({@code GET /admin/audit/actions}).
 * Store calls and bundle writing run on {@link Schedulers#boundedElastic()}, never on the event loop.
 */
public final class EvidenceHandler {

    private static final Logger log = LoggerFactory.getLogger(EvidenceHandler.class);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Executor BLOCKING = task -> Schedulers.boundedElastic().schedule(task);

    private final AuditLog auditLog;
    private final AuditStore store;
    private final TenantDirectory tenants;
    private final OperatorKey key;
    private final JsonMapper json;
    private final AuditJson view;

    EvidenceHandler(AuditLog auditLog, TenantDirectory tenants, OperatorKey key, JsonMapper json) {
        this.auditLog = auditLog;
        this.store = auditLog.store();
        this.tenants = tenants;
        this.key = key;
        this.json = json;
        this.view = new AuditJson(json);
    }

    /**
     * {@code POST /admin/audit/export?tenant=&from=&to=} (or the same as a form body): a signed evidence bundle of
     * the tenant's chains (all chains without {@code tenant}) for entries in [from, to), streamed as JSON Lines.
     * Verify it with {@code VerifyAuditCommand --bundle FILE --public-key KEY}. The export is itself recorded as an
     * {@code audit.export} admin action with the filter, the counts and the manifest's SHA-256.
     */
    public Mono<ServerResponse> bundle(ServerRequest request) {
        return parameters(request).flatMap(params -> {
            AuditParameters p = AuditParameters.only(params, Set.of("tenant", "from", "to"));
            EvidenceBundle.Filter filter =
                    new EvidenceBundle.Filter(p.text("tenant"), p.instant("from"), p.instant("to"));
            if (filter.from() != null && filter.to() != null && !filter.from().isBefore(filter.to())) {
                throw ApiErrors.invalidRequest(
                        "'from' (" + filter.from() + ") must be before 'to' (" + filter.to() + ")", "from");
            }
            String actor = AdminActor.of(request.exchange());
            // The store is tried first, while a clean error can still be sent; a failure once streaming has begun
            // can only cut the download short (and the bundle then fails verification: no signed manifest).
            return blocking(store::chains)
                    .map(chains -> {
                        Publisher<DataBuffer> body = DataBufferUtils.outputStreamPublisher(
                                out -> {
                                    BufferedWriter writer =
                                            new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                                    EvidenceBundle.Summary summary =
                                            new EvidenceBundle(store, key, Clock.systemUTC()).write(filter, writer);
                                    log.info(
                                            "evidence bundle exported by {}: tenant={} from={} to={} entries={} chains={}",
                                            actor,
                                            filter.tenant() == null ? "*" : filter.tenant(),
                                            filter.from(),
                                            filter.to(),
                                            summary.entries(),
                                            summary.chains());
                                    recordExport(actor, filter, summary);
                                },
                                request.exchange().getResponse().bufferFactory(),
                                BLOCKING);
                        return body;
                    })
                    .flatMap(body -> ServerResponse.ok()
                            .contentType(AuditHandler.JSON_LINES)
                            .header(
                                    HttpHeaders.CONTENT_DISPOSITION,
                                    ContentDisposition.attachment()
                                            .filename("warden-evidence-"
                                                    + (filter.tenant() == null ? "all" : filter.tenant()) + "-"
                                                    + FILE_TIME.format(Instant.now()) + ".jsonl")
                                            .build()
                                            .toString())
                            .header(HttpHeaders.CACHE_CONTROL, "no-store")
                            .body(BodyInserters.fromDataBuffers(body)));
        });
    }

    private void recordExport(String actor, EvidenceBundle.Filter filter, EvidenceBundle.Summary summary) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kind", EvidenceBundle.KIND);
        if (filter.from() != null) {
            details.put("from", filter.from().toString());
        }
        if (filter.to() != null) {
            details.put("to", filter.to().toString());
        }
        details.put("entries", summary.entries());
        details.put("chains", summary.chains());
        details.put("contentIncluded", summary.contentIncluded());
        details.put("manifestSha256", summary.manifestSha256());
        auditLog.appendAction(AdminAction.of(Instant.now(), "audit.export", actor, filter.tenant(), details))
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        log.error(
                                "the admin action of an evidence export by {} could not be recorded: {}",
                                actor,
                                e.toString());
                    }
                });
    }

    /** {@code GET /admin/policy/versions}: every stored policy version, oldest first, and which one is in force. */
    Mono<ServerResponse> policyVersions(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters.only(request.queryParams(), Set.of());
            return blocking(() -> {
                        ObjectNode root = json.createObjectNode();
                        root.put("object", "list");
                        root.put("in_force", tenants.policy().digest());
                        ArrayNode data = root.putArray("data");
                        for (PolicyVersion v : store.policyVersions()) {
                            data.addObject()
                                    .put("object", "policy.version")
                                    .put("digest", v.digest())
                                    .put("first_seen", v.firstSeen().toString())
                                    .put(
                                            "in_force",
                                            v.digest().equals(tenants.policy().digest()));
                        }
                        return root;
                    })
                    .flatMap(this::ok);
        });
    }

    /** {@code GET /admin/policy/versions/{digest}}: one version's documents (tenants file, licence files). */
    Mono<ServerResponse> policyVersion(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters.only(request.queryParams(), Set.of());
            String digest = request.pathVariable("digest");
            return blocking(() ->
                            store.policyVersion(digest).orElseThrow(() -> ApiErrors.policyVersionNotFound(digest)))
                    .map(v -> {
                        ObjectNode n = json.createObjectNode();
                        n.put("object", "policy.version");
                        n.put("digest", v.digest());
                        n.put("first_seen", v.firstSeen().toString());
                        n.put("intact", v.intact());
                        ObjectNode docs = n.putObject("documents");
                        v.documents().forEach(docs::put);
                        return n;
                    })
                    .flatMap(this::ok);
        });
    }

    /**
     * {@code GET /admin/audit/actions?from=&to=&action=&limit=&cursor=}: the admin-actions chain (policy changes,
     * retention runs, exports), newest first, paged like the records.
     */
    Mono<ServerResponse> actions(ServerRequest request) {
        return Mono.defer(() -> {
            AuditParameters p =
                    AuditParameters.only(request.queryParams(), Set.of("from", "to", "action", "limit", "cursor"));
            AuditQuery.Builder q = AuditQuery.builder()
                    .kind(AuditEntry.Kind.ADMIN)
                    .from(p.instant("from"))
                    .to(p.instant("to"))
                    .limit(p.integer("limit", 1, AuditQuery.MAX_LIMIT, AuditQuery.DEFAULT_LIMIT));
            if (p.text("action") != null) {
                q.decision(p.text("action"));
            }
            if (p.text("cursor") != null) {
                q.cursor(p.text("cursor"));
            }
            AuditQuery query = q.build();
            return blocking(() -> store.query(query)).map(this::actionsPage).flatMap(this::ok);
        });
    }

    private ObjectNode actionsPage(AuditPage page) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ChainedEntry e : page.entries()) {
            AdminAction a = (AdminAction) e.entry();
            ObjectNode n = data.addObject();
            n.put("object", "audit.admin_action");
            n.put("id", a.id());
            n.put("time", a.time().toString());
            n.put("action", a.action());
            n.put("actor", a.actor());
            n.put("subject", a.subject());
            n.set("details", json.valueToTree(a.details()));
            n.put("instance", e.instance());
            n.put("sequence", e.seq());
            n.put("prev_hash", e.prevHash());
            n.put("hash", e.hash());
        }
        root.put("has_more", page.nextCursor().isPresent());
        root.put("next_cursor", page.nextCursor().orElse(null));
        return root;
    }

    /** Query parameters, merged with a form body when one was posted (the console posts forms). */
    private static Mono<MultiValueMap<String, String>> parameters(ServerRequest request) {
        MediaType type = request.headers().contentType().orElse(null);
        if (type != null && MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(type)) {
            return request.formData().map(form -> {
                MultiValueMap<String, String> all = new LinkedMultiValueMap<>(request.queryParams());
                form.forEach((k, v) -> {
                    if (!k.equals("_csrf")) {
                        all.addAll(k, v);
                    }
                });
                return all;
            });
        }
        return Mono.just(request.queryParams());
    }

    private Mono<ServerResponse> ok(ObjectNode body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.writeValueAsBytes(body));
    }

    private static <T> Mono<T> blocking(Callable<T> call) {
        return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic()).onErrorMap(EvidenceHandler::toApi);
    }

    private static Throwable toApi(Throwable e) {
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
