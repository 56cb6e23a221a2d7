package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminActions;
import dev.warden.gateway.admin.AdminIdentity;
import dev.warden.policy.audit.AuditExport;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executor;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The explorer's export: the records its filters select, as CSV or as JSON Lines (each entry's hashed body
 * verbatim with its chain links, so it verifies offline), with the same writer as {@code GET /admin/audit/export}
 * ({@link AuditExport}). JSON Lines carries stored content, so an auditor without the content-read grant gets CSV
 * only. The export is on the admin-actions record before its first byte is sent.
 */
final class ConsoleExport {

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Executor BLOCKING = task -> Schedulers.boundedElastic().schedule(task);

    private final AuditStore store;
    private final AdminActions actions;

    ConsoleExport(AuditStore store, AdminActions actions) {
        this.store = store;
        this.actions = actions;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> {
            String format = request.queryParams().getFirst("format");
            AuditQuery query;
            try {
                if (!"csv".equals(format) && !"jsonl".equals(format)) {
                    throw new IllegalArgumentException("format: csv or jsonl");
                }
                query = RecordFilters.of(request.queryParams()).query();
            } catch (IllegalArgumentException e) {
                return ConsolePages.page(
                        request,
                        who,
                        "Export",
                        "Requests",
                        "<p class=\"error\">" + Html.text(e.getMessage()) + "</p>",
                        HttpStatus.BAD_REQUEST);
            }
            if (format.equals("jsonl") && !who.mayReadContent()) {
                return ConsolePages.page(
                        request,
                        who,
                        "Export",
                        "Requests",
                        "<p class=\"error\" id=\"refusal\">"
                                + "JSON Lines carries each record's hashed body verbatim, stored content included, and this "
                                + "key may not read content (that needs the content-read grant). Export CSV instead.</p>",
                        HttpStatus.FORBIDDEN);
            }
            return actions.record(
                            request.exchange(),
                            AdminActions.Action.EXPORT,
                            who,
                            query.tenant(),
                            java.util.Map.of(
                                    "format",
                                    format,
                                    "query",
                                    String.valueOf(request.uri().getRawQuery()),
                                    "via",
                                    "console"))
                    .then(Mono.defer(() -> send(request, who, format, query)));
        });
    }

    private Mono<ServerResponse> send(ServerRequest request, AdminIdentity who, String format, AuditQuery query) {
        AuditExport export = new AuditExport(store);
        var body = DataBufferUtils.outputStreamPublisher(
                out -> {
                    if (format.equals("csv")) {
                        export.csv(query, out);
                    } else {
                        export.jsonLines(query, out);
                    }
                },
                request.exchange().getResponse().bufferFactory(),
                BLOCKING);
        return ServerResponse.ok()
                .contentType(
                        format.equals("csv")
                                ? MediaType.parseMediaType("text/csv;charset=UTF-8")
                                : MediaType.parseMediaType("application/x-ndjson"))
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename("warden-audit-" + FILE_TIME.format(Instant.now()) + "." + format)
                                .build()
                                .toString())
                .body(BodyInserters.fromDataBuffers(body));
    }
}
