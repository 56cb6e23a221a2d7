package dev.warden.gateway.console;

import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.Outcome;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The request explorer: records newest first, {@value #PAGE} a page, filtered by tenant, time, outcome, category,
 * classifier, model, key id and request id, every filter and the page's cursor in the URL. Stored content is never
 * shown here; a row links to its record.
 */
final class ExplorerPage {

    static final int PAGE = 50;

    private final AuditStore store;

    ExplorerPage(AuditStore store) {
        this.store = store;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> {
            RecordFilters filters;
            AuditQuery query;
            String cursor = request.queryParams().getFirst("cursor");
            try {
                filters = RecordFilters.of(request.queryParams());
                query = filters.query().toBuilder()
                        .limit(PAGE)
                        .cursor(cursor == null || cursor.isBlank() ? null : cursor)
                        .build();
            } catch (IllegalArgumentException e) {
                return ConsolePages.page(
                        request,
                        who,
                        "Requests",
                        "Requests",
                        "<p class=\"error\">" + Html.text(e.getMessage()) + "</p>",
                        HttpStatus.BAD_REQUEST);
            }
            return ConsolePages.blocking(() -> store.query(query))
                    .map(page -> render(filters, page))
                    .onErrorResume(
                            IllegalArgumentException.class,
                            e -> Mono.just(
                                    "<p class=\"error\">That page link is not valid (its cursor); start again from "
                                            + "<a href=\"/console/requests\">the first page</a>.</p>"))
                    .flatMap(body -> ConsolePages.page(request, who, "Requests", "Requests", body, HttpStatus.OK));
        });
    }

    private static String render(RecordFilters filters, AuditPage page) {
        StringBuilder h = new StringBuilder();
        h.append("<form method=\"get\" action=\"/console/requests\" class=\"filters\" id=\"filters\">");
        for (String name : RecordFilters.NAMES) {
            if (name.equals("outcome")) {
                h.append("<label>outcome <select name=\"outcome\"><option value=\"\">any</option>");
                for (Outcome o : Outcome.values()) {
                    String id = o.name().toLowerCase(Locale.ROOT);
                    h.append("<option value=\"")
                            .append(id)
                            .append("\"")
                            .append(id.equalsIgnoreCase(String.valueOf(filters.get("outcome"))) ? " selected" : "")
                            .append(">")
                            .append(id)
                            .append("</option>");
                }
                h.append("</select></label>");
                continue;
            }
            h.append("<label>")
                    .append(name.replace('_', ' '))
                    .append(" <input name=\"")
                    .append(name)
                    .append("\" value=\"")
                    .append(Html.text(filters.get(name)))
                    .append("\"></label>");
        }
        h.append("<button type=\"submit\">Filter</button></form>");
        String query = filters.queryString();
        h.append("<p class=\"actions\">Export these records: <a id=\"export-csv\" href=\"/console/export?format=csv")
                .append(query.isEmpty() ? "" : "&" + Html.text(query))
                .append("\">CSV</a> &middot; ")
                .append("<a id=\"export-jsonl\" href=\"/console/export?format=jsonl")
                .append(query.isEmpty() ? "" : "&" + Html.text(query))
                .append("\">JSON Lines</a></p>");
        // The signed bundle covers whole chains of a tenant (or all) over a time range: the other filters do not
        // apply to it, so only these three are carried over.
        h.append("<form method=\"post\" action=\"/console/export/bundle\" class=\"inline\" id=\"bundle-form\">")
                .append(ConsolePages.CSRF_PLACEHOLDER);
        for (String name : new String[] {"tenant", "from", "to"}) {
            if (filters.get(name) != null) {
                h.append("<input type=\"hidden\" name=\"")
                        .append(name)
                        .append("\" value=\"")
                        .append(Html.text(filters.get(name)))
                        .append("\">");
            }
        }
        h.append("<button type=\"submit\" id=\"export-bundle\">Signed evidence bundle")
                .append(filters.get("tenant") == null ? " (all tenants)" : " of " + Html.text(filters.get("tenant")))
                .append("</button></form>");
        if (page.entries().isEmpty()) {
            h.append("<p class=\"empty\" id=\"no-records\">No records match.</p>");
            return h.toString();
        }
        h.append("<table id=\"records\"><thead><tr><th>time</th><th>tenant</th><th>request</th><th>model</th>"
                + "<th>outcome</th><th>decision</th><th>rule</th><th>categories</th><th>classifiers</th>"
                + "<th>key id</th><th>status</th></tr></thead><tbody>");
        for (ChainedEntry e : page.entries()) {
            AuditRecord r = (AuditRecord) e.entry();
            String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
            h.append("<tr class=\"")
                    .append(outcome)
                    .append("\"><td>")
                    .append(Html.time(r.time()))
                    .append("</td><td>")
                    .append(Html.text(r.tenant()))
                    .append("</td><td><a class=\"record-link\" href=\"/console/records/")
                    .append(Html.text(Html.url(r.requestId())))
                    .append("\">")
                    .append(Html.text(r.requestId()))
                    .append("</a></td><td>")
                    .append(Html.orDash(r.model()))
                    .append("</td><td>")
                    .append(outcome)
                    .append("</td><td>")
                    .append(Html.orDash(r.decision()))
                    .append("</td><td>")
                    .append(Html.orDash(r.rule()))
                    .append("</td><td>")
                    .append(Html.text(String.join(" ", r.categories())))
                    .append("</td><td>")
                    .append(Html.text(String.join(" ", r.classifiers())))
                    .append("</td><td>")
                    .append(Html.orDash(r.keyId()))
                    .append("</td><td>")
                    .append(r.httpStatus())
                    .append("</td></tr>");
        }
        h.append("</tbody></table>");
        if (page.nextCursor().isPresent()) {
            h.append("<p><a id=\"next-page\" href=\"/console/requests?")
                    .append(Html.text(query.isEmpty() ? "" : query + "&"))
                    .append("cursor=")
                    .append(Html.text(Html.url(page.nextCursor().get())))
                    .append("\">Next page &rarr;</a></p>");
        }
        return h.toString();
    }
}
