package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.flow.CallRecord;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.models.ModelCatalog;
import dev.warden.gateway.models.ServedModel;
import dev.warden.gateway.openai.JsonBody;
import dev.warden.gateway.openai.RequestBodies;
import dev.warden.gateway.route.LicenceGatewayFilterFactory;
import dev.warden.gateway.route.ReadGenerationGatewayFilterFactory;
import dev.warden.inference.ModelDescriptor;
import dev.warden.policy.licence.BatchLicence;
import dev.warden.policy.licence.LicenceVerdict;
import dev.warden.policy.tenant.Principal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's Batch API: {@code POST /v1/batches}, {@code GET /v1/batches}, {@code GET /v1/batches/{id}},
 * {@code POST /v1/batches/{id}/cancel}. Creating a batch checks the licence for the whole job first (purpose and
 * derivative model from the metadata or the {@code x-warden-purpose} headers): a refusal is 403 with the rule and
 * is audited; an accepted batch is audited with its input file's SHA-256 and handed to the {@link BatchRunner}.
 */
public final class BatchesHandler {

    /** OpenAI accepts only this window. */
    static final String COMPLETION_WINDOW = "24h";

    private final FileStore files;
    private final FileClaims claims;
    private final BatchRunner runner;
    private final BatchAudit audit;
    private final BatchLicence licence;
    private final ModelCatalog catalog;
    private final RequestBodies bodies;
    private final BatchProperties properties;
    private final Clock clock;
    /** Tests only: runs where a batch being created has checked its input file and is not registered yet. */
    private volatile Runnable inputChecked = () -> {};

    BatchesHandler(
            FileStore files,
            FileClaims claims,
            BatchRunner runner,
            BatchAudit audit,
            BatchLicence licence,
            ModelCatalog catalog,
            RequestBodies bodies,
            BatchProperties properties,
            Clock clock) {
        this.clock = clock;
        this.files = files;
        this.claims = claims;
        this.runner = runner;
        this.audit = audit;
        this.licence = licence;
        this.catalog = catalog;
        this.bodies = bodies;
        this.properties = properties;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        CallRecord call = RequestState.of(request.exchange()).record();
        return bodies.json(request.exchange()).map(JsonBody::parse).flatMap(body -> {
            String inputFileId = body.requiredString("input_file_id");
            String endpoint = body.requiredString("endpoint");
            if (!InputFile.ENDPOINTS.contains(endpoint)) {
                throw ApiErrors.invalidRequest(
                        "endpoint must be one of " + new java.util.TreeSet<>(InputFile.ENDPOINTS) + " on this gateway",
                        "endpoint");
            }
            String window = body.requiredString("completion_window");
            if (!COMPLETION_WINDOW.equals(window)) {
                throw ApiErrors.invalidRequest("completion_window must be \"24h\"", "completion_window");
            }
            Map<String, String> metadata = metadata(body.get("metadata"));
            ExpiresAfter outputExpiry = ExpiresAfter.ofJson("output_expires_after", body.get("output_expires_after"));
            BatchLicence.Declaration declared = BatchLicence.Declaration.of(
                    metadata,
                    request.headers().firstHeader(ReadGenerationGatewayFilterFactory.PURPOSE_HEADER),
                    request.headers().firstHeader(LicenceGatewayFilterFactory.DERIVATIVE_HEADER));
            // The input stays claimed from its check until the batch is registered (its running batch holds it
            // from then on) or refused: a sweep or a deletion in between leaves it (FileClaims).
            return Mono.usingWhen(
                    Mono.fromCallable(() -> input(principal, inputFileId))
                            .subscribeOn(Schedulers.boundedElastic())
                            // found just as the request was cancelled: nothing will close it otherwise
                            .doOnDiscard(Input.class, Input::release),
                    input -> admit(principal, call, input, endpoint, metadata, outputExpiry, declared),
                    input -> Mono.fromRunnable(input::release));
        });
    }

    private record Input(FileClaims.InputClaim claim, InputFile.Summary summary) {
        StoredFile file() {
            return claim.file();
        }

        void release() {
            claim.close();
        }
    }

    /** The tenant's input file, checked and claimed; unknown, expired or being deleted is 404 {@code file_not_found}. */
    private Input input(Principal principal, String id) {
        FileClaims.InputClaim claim = claims.claimInput(id, () -> files.get(principal.tenantId(), id))
                .orElseThrow(() -> FilesHandler.notFound("input_file_id", id));
        try {
            if (!StoredFile.BATCH.equals(claim.file().purpose())) {
                throw ApiErrors.invalidRequest(
                        "file " + id + " was not uploaded with purpose 'batch'", "input_file_id");
            }
            Input input = new Input(claim, InputFile.check(files.contentOf(id), properties.maxLines()));
            inputChecked.run();
            return input;
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    /** Tests only: {@code hook} runs (off the event loop) between the input file's check and the batch's start. */
    void onInputChecked(Runnable hook) {
        this.inputChecked = hook;
    }

    private Mono<ServerResponse> admit(
            Principal principal,
            CallRecord call,
            Input input,
            String endpoint,
            Map<String, String> metadata,
            ExpiresAfter outputExpiry,
            BatchLicence.Declaration declared) {
        List<ModelDescriptor> models = input.summary().models().stream()
                .map(this::served)
                .flatMap(Optional::stream)
                .map(ServedModel::descriptor)
                .toList();
        LicenceVerdict verdict = licence.check(principal.tenant(), declared, models);
        if (verdict instanceof LicenceVerdict.Denied denied) {
            HttpStatus status = HttpStatus.valueOf(denied.httpStatus());
            return audit.refused(call, declared.purpose(), input.file(), status.value(), denied.message())
                    .then(Mono.error(ApiErrors.licenceDenied(status.value(), denied.code(), denied.message())));
        }
        long now = clock.instant().getEpochSecond();
        BatchJob job = new BatchJob(
                FileStore.newId("batch_"),
                principal.tenantId(),
                principal.keyId(),
                endpoint,
                input.file().id(),
                COMPLETION_WINDOW,
                metadata,
                declared.purpose(),
                declared.derivativeModel(),
                now,
                now + Duration.ofHours(24).toSeconds());
        job.attribution = ((LicenceVerdict.Allowed) verdict).attribution();
        job.total = input.summary().lines();
        job.outputExpiresAfter = outputExpiry == null ? null : outputExpiry.seconds();
        return audit.created(call, job, input.file())
                .then(Mono.fromRunnable(() -> runner.submit(job)).subscribeOn(Schedulers.boundedElastic()))
                .then(Mono.defer(() -> FilesHandler.json(job.openAi())));
    }

    private Optional<ServedModel> served(String name) {
        return catalog.all().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** OpenAI's rules: at most 16 pairs, keys up to 64 characters, string values up to 512. */
    static Map<String, String> metadata(JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return metadata;
        }
        if (!node.isObject()) {
            throw ApiErrors.wrongType("metadata", "an object of strings");
        }
        if (node.size() > 16) {
            throw ApiErrors.invalidRequest("metadata holds at most 16 pairs", "metadata");
        }
        for (var e : node.properties()) {
            if (!e.getValue().isString()) {
                throw ApiErrors.wrongType("metadata." + e.getKey(), "a string");
            }
            if (e.getKey().length() > 64 || e.getValue().asString().length() > 512) {
                throw ApiErrors.invalidRequest("metadata keys are at most 64 characters, values 512", "metadata");
            }
            metadata.put(e.getKey(), e.getValue().asString());
        }
        return metadata;
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return owned(request).flatMap(job -> FilesHandler.json(job.openAi()));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        return Mono.fromCallable(
                        () -> Pages.of(request, runner.list(principal.tenantId()), BatchJob::id, BatchJob::openAi))
                .flatMap(FilesHandler::json);
    }

    public Mono<ServerResponse> cancel(ServerRequest request) {
        return owned(request)
                .flatMap(job -> Mono.fromCallable(() -> runner.cancel(job)).subscribeOn(Schedulers.boundedElastic()))
                .flatMap(FilesHandler::json);
    }

    private Mono<BatchJob> owned(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        String id = request.pathVariable("id");
        return Mono.justOrEmpty(runner.get(principal.tenantId(), id))
                .switchIfEmpty(Mono.error(
                        () -> ApiErrors.batchObjectNotFound("batch_not_found", "batch_id", "No such batch: " + id)));
    }
}
