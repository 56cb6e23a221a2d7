package dev.warden.gateway.batch;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.flow.RequestState;
import dev.warden.gateway.route.LicenceGatewayFilterFactory;
import dev.warden.policy.tenant.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Files API for batch input: {@code POST /v1/files} (multipart: {@code purpose=batch}, {@code file} and
 * optionally {@code expires_after[anchor]=created_at} with {@code expires_after[seconds]}),
 * {@code GET /v1/files}, {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content}, {@code DELETE
 * /v1/files/{id}}. An upload streams to disk (never whole in memory), is size-limited, checked line by line before
 * it is kept, and audited with its SHA-256. File I/O runs on the bounded elastic scheduler.
 */
public final class FilesHandler {

    private static final Logger log = LoggerFactory.getLogger(FilesHandler.class);

    private final FileStore files;
    private final FileClaims claims;
    private final BatchAudit audit;
    private final BatchProperties properties;
    private final Clock clock;

    /**
     * A file part sent without a filename (openai-java does so for bytes) arrives as a form field, which the
     * reader holds in memory whole: such parts are limited to this size, named file parts stream to disk.
     */
    static final int MAX_UNNAMED_FILE_PART = 8 * 1024 * 1024;

    /** Bytes of a download read from disk at a time. */
    private static final int DOWNLOAD_CHUNK = 64 * 1024;

    private final PartEventHttpMessageReader parts = new PartEventHttpMessageReader();
    /** Tests only: runs where a download has found its file and has not opened its content yet. */
    private volatile Runnable contentFound = () -> {};

    FilesHandler(FileStore files, FileClaims claims, BatchAudit audit, BatchProperties properties, Clock clock) {
        this.files = files;
        this.claims = claims;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
        parts.setMaxInMemorySize(
                (int) Math.min(MAX_UNNAMED_FILE_PART, properties.maxFileSize().toBytes() + 1));
        parts.setMaxParts(8);
    }

    public Mono<ServerResponse> upload(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        MediaType type = request.headers().contentType().orElse(null);
        if (type == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type)) {
            return Mono.error(ApiErrors.uploadMediaType(
                    "upload a file as multipart/form-data with the fields 'purpose' " + "(batch) and 'file'"));
        }
        long max = properties.maxFileSize().toBytes();
        if (request.headers().contentLength().orElse(-1) > max + 64 * 1024) {
            return Mono.error(tooLarge(max));
        }
        return Mono.fromCallable(() -> new Upload(files.incoming(), max))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(upload -> parts.read(
                                ResolvableType.forClass(PartEvent.class),
                                request.exchange().getRequest(),
                                Map.of())
                        .publishOn(Schedulers.boundedElastic())
                        .doOnNext(upload::accept)
                        .doOnDiscard(PartEvent.class, e -> DataBufferUtils.release(e.content()))
                        .then(Mono.fromCallable(() -> upload.keep(principal)))
                        .doFinally(s -> upload.discard()))
                .flatMap(file -> audit.uploaded(
                                RequestState.of(request.exchange()).record(), file)
                        .thenReturn(file))
                .flatMap(file -> json(file.openAi()));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        return owned(request).flatMap(file -> json(file.openAi()));
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        String purpose = request.queryParam("purpose").filter(p -> !p.isBlank()).orElse(null);
        return Mono.fromCallable(() -> files.list(principal.tenantId(), purpose))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(all -> json(Pages.of(request, all, StoredFile::id, StoredFile::openAi)));
    }

    /**
     * The file's content, whole, as it was when the download found it: opened under a {@link FileClaims} claim and
     * sent from the open file, so that a deletion or an expiry that comes meanwhile removes the file for every call
     * that starts after it, not the bytes this one is sending (their last reader erases them).
     */
    public Mono<ServerResponse> content(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        String id = request.pathVariable("id");
        DataBufferFactory buffers = request.exchange().getResponse().bufferFactory();
        return Mono.fromCallable(() -> open(principal, id))
                .subscribeOn(Schedulers.boundedElastic())
                // opened just as the request was cancelled: nothing will read, so nothing would close it
                .doOnDiscard(OpenContent.class, OpenContent::close)
                .flatMap(content -> {
                    ServerResponse.BodyBuilder ok = ServerResponse.ok()
                            .contentType(MediaType.APPLICATION_OCTET_STREAM)
                            .contentLength(content.size());
                    String attribution = content.file().attribution();
                    if (attribution != null && !attribution.isBlank()) {
                        ok.header(LicenceGatewayFilterFactory.ATTRIBUTION_HEADER, attribution);
                    }
                    // read by the channel's own threads, never an event loop's; closed at the end, however it ends
                    return ok.body(BodyInserters.fromDataBuffers(
                            DataBufferUtils.readAsynchronousFileChannel(content::channel, buffers, DOWNLOAD_CHUNK)));
                });
    }

    /** A download's file with its content open. */
    private record OpenContent(StoredFile file, AsynchronousFileChannel channel, long size) {
        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was read from it; nothing to lose
            }
        }
    }

    /**
     * The tenant's file with its content open; unknown, expired or being deleted is 404 {@code file_not_found}. The
     * claim keeps the content on disk from before the lookup until it is open; a deletion that came meanwhile left
     * its erasure to this download.
     */
    private OpenContent open(Principal principal, String id) throws IOException {
        FileClaims.DownloadClaim claim = claims.claimDownload(id).orElseThrow(() -> notFound("file_id", id));
        try {
            StoredFile file = files.get(principal.tenantId(), id).orElseThrow(() -> notFound("file_id", id));
            contentFound.run();
            AsynchronousFileChannel channel;
            try {
                channel = AsynchronousFileChannel.open(files.contentOf(id), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                // metadata without content: what a kill left of a deletion (erased by the RetentionSweeper)
                throw notFound("file_id", id);
            }
            try {
                return new OpenContent(file, channel, channel.size());
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } finally {
            if (claim.release()) {
                eraseDeleted(id);
            }
        }
    }

    /** The content of a file deleted while this download opened it; what cannot go now, the sweep removes later. */
    private void eraseDeleted(String id) {
        try {
            files.eraseContentOf(id);
        } catch (UncheckedIOException e) {
            log.warn(
                    "the content of deleted file {} stays until the retention sweep: {}",
                    id,
                    e.getCause().toString());
        }
    }

    /** Tests only: {@code hook} runs (off the event loop) between a download's check of its file and its opening. */
    void onContentFound(Runnable hook) {
        this.contentFound = hook;
    }

    public Mono<ServerResponse> delete(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        return owned(request).flatMap(file -> Mono.fromCallable(() -> delete(principal, file))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(deleted -> {
                    ObjectNode n = StoredFile.JSON.createObjectNode();
                    n.put("id", file.id());
                    n.put("object", "file");
                    n.put("deleted", deleted);
                    return json(n);
                }));
    }

    /**
     * Deletes the file unless a batch holds it, one that has not ended or one being created on it (409), or another
     * deletion is taking it (404, as for a file already gone). The check and the claim are one step
     * ({@link FileClaims}): a batch created meanwhile is refused the file, not started on a deleted one. A download
     * under way does not hold the file: it is sent whole, and the last such download erases the content.
     */
    private boolean delete(Principal principal, StoredFile file) {
        FileClaims.Deletion deletion = claims.delete(
                principal.tenantId(),
                file.id(),
                () -> files.forget(principal.tenantId(), file.id()),
                () -> files.eraseContentOf(file.id()));
        return switch (deletion.heldBy()) {
            case BATCH ->
                throw ApiErrors.batchConflict(
                        "file_in_use",
                        "file " + file.id() + " is the input of a batch that has not ended; cancel the batch first");
            case DELETION -> throw notFound("file_id", file.id());
            case NONE -> deletion.forgotten();
        };
    }

    private Mono<StoredFile> owned(ServerRequest request) {
        Principal principal = RequestState.of(request.exchange()).principal();
        String id = request.pathVariable("id");
        return Mono.fromCallable(() -> files.get(principal.tenantId(), id))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(found -> found.map(Mono::just).orElseGet(() -> Mono.error(notFound("file_id", id))));
    }

    /** OpenAI's answer for a file that was never there, was deleted or has expired. */
    static ApiException notFound(String param, String id) {
        return ApiErrors.batchObjectNotFound("file_not_found", param, "No such File object: " + id);
    }

    private static ApiException tooLarge(long max) {
        return ApiErrors.fileTooLarge(
                "the file is larger than this gateway accepts (" + max + " bytes, warden.batch.max-file-size)");
    }

    static Mono<ServerResponse> json(ObjectNode body) {
        return ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(StoredFile.JSON.writeValueAsBytes(body));
    }

    /** One upload in progress: the file part streamed to a private temp file, digested and counted as it comes. */
    private final class Upload {
        private final Path temp;
        private final long max;
        private final FileChannel channel;
        private final MessageDigest digest = FileStore.digest();
        private long bytes;
        private String purpose;
        private String filename;
        private String expiryAnchor;
        private String expirySeconds;
        private boolean sawFile;
        private boolean kept;

        Upload(Path temp, long max) throws IOException {
            this.temp = temp;
            this.max = max;
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        void accept(PartEvent event) {
            DataBuffer content = event.content();
            try {
                if (event instanceof FormPartEvent form && "purpose".equals(form.name())) {
                    purpose = form.value();
                } else if (event instanceof FormPartEvent form && "expires_after[anchor]".equals(form.name())) {
                    expiryAnchor = form.value();
                } else if (event instanceof FormPartEvent form && "expires_after[seconds]".equals(form.name())) {
                    expirySeconds = form.value();
                } else if ("file".equals(event.name())) {
                    if (event instanceof FilePartEvent part) {
                        if (sawFile && filename != null && !filename.equals(part.filename())) {
                            throw ApiErrors.invalidRequest("send exactly one file per upload", "file");
                        }
                        filename = part.filename();
                    }
                    sawFile = true;
                    bytes += content.readableByteCount();
                    if (bytes > max) {
                        throw tooLarge(max);
                    }
                    try (DataBuffer.ByteBufferIterator it = content.readableByteBuffers()) {
                        while (it.hasNext()) {
                            var buffer = it.next();
                            digest.update(buffer.duplicate());
                            while (buffer.hasRemaining()) {
                                channel.write(buffer);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write an upload", e);
            } finally {
                DataBufferUtils.release(content);
            }
        }

        StoredFile keep(Principal principal) throws IOException {
            channel.force(true);
            channel.close();
            if (purpose == null || purpose.isBlank()) {
                throw ApiErrors.missingParameter("purpose");
            }
            if (!StoredFile.BATCH.equals(purpose)) {
                throw ApiErrors.invalidRequest(
                        "this gateway stores files for the Batch API only: purpose must be 'batch'", "purpose");
            }
            if (!sawFile) {
                throw ApiErrors.missingParameter("file");
            }
            ExpiresAfter expiry = ExpiresAfter.ofForm("expires_after", expiryAnchor, expirySeconds);
            InputFile.Summary summary = InputFile.check(temp, properties.maxLines());
            String name = filename == null || filename.isBlank()
                    ? "upload.jsonl"
                    : Path.of(filename.replace('\\', '/')).getFileName().toString();
            long now = clock.instant().getEpochSecond();
            StoredFile file = new StoredFile(
                    FileStore.newId("file-"),
                    principal.tenantId(),
                    name.length() > 255 ? name.substring(0, 255) : name,
                    purpose,
                    bytes,
                    now,
                    HexFormat.of().formatHex(digest.digest()),
                    summary.lines(),
                    "",
                    files.expiresAt(principal.tenantId(), purpose, now, expiry == null ? null : expiry.seconds()));
            kept = true;
            return files.keep(file, temp);
        }

        void discard() {
            try {
                channel.close();
                if (!kept) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                // a leftover .upload-* file holds nothing anyone can reach; the RetentionSweeper removes it a day on
            }
        }
    }
}
