package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminActions;
import dev.warden.gateway.admin.AdminIdentity;
import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainedEntry;
import dev.warden.policy.audit.ClassifierVerdict;
import dev.warden.policy.audit.Outcome;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * One request's records (a stream has its opening record and its ending): every classifier's verdict with its
 * scores and version, the decision and the rule, latencies, the stream's cut position (tokens released), the
 * fingerprints and the chain hashes. Stored content appears only when the tenant stored it and the signed-in key
 * may read it; its viewing is on the admin-actions record before the page is sent.
 */
final class RecordPage {

    private final AuditStore store;
    private final AdminActions actions;

    RecordPage(AuditStore store, AdminActions actions) {
        this.store = store;
        this.actions = actions;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        String requestId = request.pathVariable("requestId");
        // Every outcome, so that a stream's opening record shows beside its ending.
        AuditQuery query = AuditQuery.builder()
                .requestId(requestId)
                .outcome(Outcome.values())
                .limit(20)
                .build();
        return ConsolePages.who(request)
                .flatMap(who -> ConsolePages.blocking(() -> store.query(query)).flatMap(page -> {
                    if (page.entries().isEmpty()) {
                        return ConsolePages.page(
                                request,
                                who,
                                "Record",
                                "Requests",
                                "<p class=\"error\">No record " + "with request id " + Html.text(requestId) + ".</p>",
                                HttpStatus.NOT_FOUND);
                    }
                    boolean showsContent =
                            who.mayReadContent() && page.records().stream().anyMatch(r -> r.content() != null);
                    Mono<Void> recorded = showsContent
                            ? actions.record(
                                    request.exchange(),
                                    AdminActions.Action.CONTENT_VIEW,
                                    who,
                                    page.entries().get(0).tenant(),
                                    java.util.Map.of("viewedRequestId", requestId, "via", "console"))
                            : Mono.empty();
                    return recorded.then(ConsolePages.page(
                            request, who, "Record " + requestId, "Requests", render(page, who), HttpStatus.OK));
                }));
    }

    private static String render(AuditPage page, AdminIdentity who) {
        StringBuilder h = new StringBuilder();
        for (ChainedEntry e : page.entries()) {
            AuditRecord r = (AuditRecord) e.entry();
            String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
            h.append("<section class=\"record\" id=\"record-")
                    .append(e.seq())
                    .append("\"><h2>")
                    .append(Html.text(outcome))
                    .append(" &middot; ")
                    .append(Html.text(r.tenant()))
                    .append("</h2>")
                    .append("<table class=\"fields\"><tbody>");
            row(h, "time", Html.time(r.time()));
            row(h, "tenant", Html.text(r.tenant()));
            row(h, "request id", Html.text(r.requestId()));
            row(h, "client request id", Html.orDash(r.clientRequestId()));
            row(h, "key id", Html.orDash(r.keyId()));
            row(h, "model", Html.orDash(r.model()));
            row(h, "purpose", Html.orDash(r.purpose()));
            row(h, "outcome", "<span id=\"outcome\">" + Html.text(outcome) + "</span>");
            row(h, "decision", "<span id=\"decision\">" + Html.orDash(r.decision()) + "</span>");
            row(h, "rule", "<span id=\"rule\">" + Html.orDash(r.rule()) + "</span>");
            row(
                    h,
                    "policy version",
                    r.policyVersion() == null
                            ? "<span id=\"policy-version\">&mdash; (recorded before policy versions were)</span>"
                            : "<code id=\"policy-version\">" + Html.text(r.policyVersion())
                                    + "</code> (digest of the tenants "
                                    + "and licence files in force; documents at <code>GET /admin/policy/versions/"
                                    + Html.text(r.policyVersion()) + "</code>)");
            row(h, "HTTP status", Integer.toString(r.httpStatus()));
            row(h, "streaming", r.streaming() ? "yes" : "no");
            if (r.streaming() || r.outcome() == Outcome.CUT_OUTPUT || r.outcome() == Outcome.PARTIAL_STREAM) {
                row(
                        h,
                        "stream cut position",
                        "<span id=\"cut-position\">" + r.tokensReleased()
                                + " token(s) released" + (r.outcome() == Outcome.CUT_OUTPUT ? " before the cut" : "")
                                + "</span>");
            }
            row(h, "tokens", r.usage().prompt() + " prompt, " + r.usage().completion() + " completion");
            row(
                    h,
                    "latency",
                    "total " + r.latencies().total().toMillis() + " ms, input guard "
                            + r.latencies().guardInput().toMillis() + " ms, inference "
                            + r.latencies().inference().toMillis()
                            + " ms, output guard " + r.latencies().guardOutput().toMillis() + " ms");
            if (r.origin() != null) {
                row(
                        h,
                        "origin",
                        Html.orDash(r.origin().route()) + " from "
                                + Html.orDash(r.origin().clientAddress()));
            }
            row(
                    h,
                    "prompt fingerprint",
                    "<code>" + Html.orDash(r.promptSha256()) + "</code> ("
                            + Html.text(r.fingerprint() == null ? "sha256" : r.fingerprint()) + ")");
            row(h, "response fingerprint", "<code>" + Html.orDash(r.responseSha256()) + "</code>");
            row(h, "chain", Html.text(e.tenant()) + "@" + Html.text(e.instance()) + ", sequence " + e.seq());
            row(h, "previous hash", "<code>" + Html.text(e.prevHash()) + "</code>");
            row(h, "hash", "<code class=\"hash\">" + Html.text(e.hash()) + "</code>");
            h.append("</tbody></table>");
            verdicts(h, r);
            content(h, r, who);
            h.append("</section>");
        }
        return h.toString();
    }

    private static void verdicts(StringBuilder h, AuditRecord r) {
        h.append("<h3>Classifier verdicts</h3>");
        if (r.verdicts().isEmpty()) {
            h.append("<p class=\"empty\">No classifier ran for this request.</p>");
            return;
        }
        h.append("<table class=\"verdicts\"><thead><tr><th>classifier</th><th>version</th><th>direction</th>"
                + "<th>status</th><th>scores</th><th>flagged</th><th>latency</th><th>detail</th></tr></thead><tbody>");
        for (ClassifierVerdict v : r.verdicts()) {
            StringBuilder scores = new StringBuilder();
            for (Map.Entry<String, Double> s : new TreeMap<>(v.scores()).entrySet()) {
                scores.append(Html.text(s.getKey()))
                        .append(' ')
                        .append(String.format(Locale.ROOT, "%.4f", s.getValue()))
                        .append("<br>");
            }
            h.append("<tr><td>")
                    .append(Html.text(v.name()))
                    .append("</td><td>")
                    .append(Html.orDash(v.version()))
                    .append("</td><td>")
                    .append(Html.text(v.direction().name().toLowerCase(Locale.ROOT)))
                    .append("</td><td>")
                    .append(Html.text(v.status().name().toLowerCase(Locale.ROOT)))
                    .append("</td><td>")
                    .append(scores)
                    .append("</td><td>")
                    .append(Html.text(String.join(" ", v.categories())))
                    .append("</td><td>")
                    .append(v.latency().toMillis())
                    .append(" ms</td><td>")
                    .append(Html.orDash(v.detail()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table>");
    }

    private static void content(StringBuilder h, AuditRecord r, AdminIdentity who) {
        h.append("<h3>Content</h3>");
        if (r.content() == null) {
            h.append("<p class=\"content-none\">Not stored: this tenant keeps fingerprints only.</p>");
        } else if (!who.mayReadContent()) {
            h.append("<p class=\"content-withheld\" id=\"content-withheld\">Stored, and withheld: reading content "
                    + "needs the content-read grant.</p>");
        } else {
            h.append("<div class=\"content\" id=\"content\"><h4>prompt (as redacted before storing)</h4><pre>")
                    .append(Html.text(r.content().prompt()))
                    .append("</pre><h4>response</h4><pre>")
                    .append(Html.text(r.content().response()))
                    .append("</pre></div>");
        }
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<tr><th>")
                .append(Html.text(name))
                .append("</th><td>")
                .append(html)
                .append("</td></tr>");
    }
}
