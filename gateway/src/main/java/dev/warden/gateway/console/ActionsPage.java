package dev.warden.gateway.console;

import dev.warden.policy.audit.AdminAction;
import dev.warden.policy.audit.AuditEntry;
import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The admin actions, newest first, {@value #PAGE} a page: policy changes, retention runs, exports, sign-ins, failed
 * sign-ins, content views, refusals; who (role and key id, never a key), on what, with what details. Filtered by
 * {@code action}, with the cursor in the URL like the explorer.
 */
final class ActionsPage {

    static final int PAGE = 50;

    private final AuditStore store;

    ActionsPage(AuditStore store) {
        this.store = store;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        String action = blankToNull(request.queryParams().getFirst("action"));
        String cursor = blankToNull(request.queryParams().getFirst("cursor"));
        AuditQuery.Builder q =
                AuditQuery.builder().kind(AuditEntry.Kind.ADMIN).limit(PAGE).cursor(cursor);
        if (action != null) {
            q.decision(action);
        }
        AuditQuery query = q.build();
        return ConsolePages.who(request).flatMap(who -> ConsolePages.blocking(() -> store.query(query))
                .map(page -> render(page, action))
                .onErrorResume(
                        IllegalArgumentException.class,
                        e -> Mono.just("<p class=\"error\">That page link is "
                                + "not valid (its cursor); start again from <a href=\"/console/actions\">the first page</a>."
                                + "</p>"))
                .flatMap(body ->
                        ConsolePages.page(request, who, "Admin actions", "Admin actions", body, HttpStatus.OK)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String render(AuditPage page, String action) {
        StringBuilder h = new StringBuilder();
        h.append("<form method=\"get\" action=\"/console/actions\" class=\"filters\"><label>action <input "
                        + "name=\"action\" value=\"")
                .append(Html.text(action))
                .append("\" placeholder=\"e.g. "
                        + "policy.change\"></label><button type=\"submit\">Filter</button></form>");
        if (page.entries().isEmpty()) {
            h.append("<p class=\"empty\">No admin actions match.</p>");
            return h.toString();
        }
        h.append("<table id=\"actions\"><thead><tr><th>time</th><th>action</th><th>actor</th><th>subject</th>"
                + "<th>details</th><th>sequence</th></tr></thead><tbody>");
        for (ChainedEntry e : page.entries()) {
            AdminAction a = (AdminAction) e.entry();
            h.append("<tr><td>")
                    .append(Html.time(a.time()))
                    .append("</td><td>")
                    .append(Html.text(a.action()))
                    .append("</td><td>")
                    .append(Html.text(a.actor()))
                    .append("</td><td>")
                    .append(Html.orDash(a.subject()))
                    .append("</td><td>");
            for (Map.Entry<String, Object> d : a.details().entrySet()) {
                String value = String.valueOf(d.getValue());
                // A policy change carries a whole diff: show its start, the rest is in GET /admin/audit/actions.
                h.append("<div><b>")
                        .append(Html.text(d.getKey()))
                        .append("</b> ")
                        .append(Html.text(value.length() > 300 ? value.substring(0, 300) + " …" : value))
                        .append("</div>");
            }
            h.append("</td><td>").append(e.seq()).append("</td></tr>");
        }
        h.append("</tbody></table>");
        page.nextCursor().ifPresent(c -> h.append("<p><a id=\"next-page\" href=\"/console/actions?")
                .append(action == null ? "" : "action=" + Html.text(Html.url(action)) + "&amp;")
                .append("cursor=")
                .append(Html.text(Html.url(c)))
                .append("\">Next page &rarr;</a></p>"));
        return h.toString();
    }
}
