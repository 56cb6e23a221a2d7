package dev.warden.gateway.console;

import dev.warden.gateway.admin.AdminActions;
import dev.warden.gateway.admin.AdminIdentity;
import dev.warden.policy.audit.AuditLog;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.ChainId;
import dev.warden.policy.audit.ChainVerifier;
import dev.warden.policy.audit.HeadCheckpoint;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Chain integrity: one row per chain (tenant and writer instance) with its last verification from this console
 * (when, by which key, how many entries, the first broken link) and a verify action for one chain or all; and the
 * latest signed checkpoint of each instance. Verifying reads only, so auditors may; each run is on the
 * admin-actions record. The last results are kept in memory, per gateway instance.
 */
final class ChainsPage {

    /** One verification's result as shown. */
    record LastCheck(Instant time, String keyId, boolean intact, long entries, String broken) {}

    private final AuditLog auditLog;
    private final AuditStore store;
    private final AdminActions actions;
    private final Map<ChainId, LastCheck> last = new ConcurrentHashMap<>();

    ChainsPage(AuditLog auditLog, AdminActions actions) {
        this.auditLog = auditLog;
        this.store = auditLog.store();
        this.actions = actions;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> ConsolePages.blocking(this::render)
                .flatMap(body ->
                        ConsolePages.page(request, who, "Chain integrity", "Chain integrity", body, HttpStatus.OK)));
    }

    /** {@code POST /console/chains/verify} with {@code tenant} and {@code instance}, or neither for every chain. */
    Mono<ServerResponse> verify(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> request.formData().flatMap(form -> {
            String tenant = form.getFirst("tenant");
            String instance = form.getFirst("instance");
            boolean one = tenant != null && !tenant.isBlank() && instance != null && !instance.isBlank();
            return actions.record(
                            request.exchange(),
                            AdminActions.Action.CHAIN_VERIFY,
                            who,
                            one ? tenant : null,
                            one ? java.util.Map.of("instance", instance) : java.util.Map.of("chains", "all"))
                    .then(ConsolePages.blocking(() -> {
                        ChainVerifier verifier = verifier();
                        List<ChainVerifier.Report> reports =
                                one ? List.of(verifier.verify(new ChainId(tenant, instance))) : verifier.verifyAll();
                        reports.forEach(r -> remember(r, who));
                        return reports.size();
                    }))
                    .then(ServerResponse.seeOther(URI.create("/console/chains")).build());
        }));
    }

    private ChainVerifier verifier() {
        return auditLog.checkpointKey()
                .map(key -> new ChainVerifier(store, key))
                .orElseGet(() -> new ChainVerifier(store));
    }

    private void remember(ChainVerifier.Report r, AdminIdentity who) {
        last.put(
                r.chain(),
                new LastCheck(
                        Instant.now(),
                        who.keyId(),
                        r.intact(),
                        r.entriesChecked(),
                        r.firstBroken()
                                .map(b -> "sequence " + b.seq() + " (request " + b.requestId() + "): " + b.reason())
                                .orElse(null)));
    }

    private String render() {
        StringBuilder h = new StringBuilder();
        h.append("<form method=\"post\" action=\"/console/chains/verify\" class=\"inline\">")
                .append(ConsolePages.CSRF_PLACEHOLDER)
                .append("<button type=\"submit\" id=\"verify-all\">Verify every chain</button></form>");
        h.append("<p class=\"note\">Checkpoints ")
                .append(
                        auditLog.checkpointKey().isPresent()
                                ? "are checked against the operator's key."
                                : "are not checked (no operator key).")
                .append("</p>");
        h.append("<table id=\"chains\"><thead><tr><th>tenant</th><th>instance</th><th>last verified</th>"
                + "<th>by key</th><th>entries</th><th>result</th><th></th></tr></thead><tbody>");
        for (ChainId chain : store.chains()) {
            LastCheck c = last.get(chain);
            h.append("<tr><td>")
                    .append(Html.text(chain.tenant()))
                    .append("</td><td>")
                    .append(Html.text(chain.instance()))
                    .append("</td>");
            if (c == null) {
                h.append("<td colspan=\"4\" class=\"empty\">not verified from this console since it started</td>");
            } else {
                h.append("<td>")
                        .append(Html.time(c.time()))
                        .append("</td><td>")
                        .append(Html.text(c.keyId()))
                        .append("</td><td>")
                        .append(c.entries())
                        .append("</td><td class=\"")
                        .append(c.intact() ? "intact\">intact" : "broken\">broken at " + Html.text(c.broken()))
                        .append("</td>");
            }
            h.append("<td><form method=\"post\" action=\"/console/chains/verify\" class=\"inline\">")
                    .append(ConsolePages.CSRF_PLACEHOLDER)
                    .append("<input type=\"hidden\" name=\"tenant\" value=\"")
                    .append(Html.text(chain.tenant()))
                    .append("\"><input type=\"hidden\" name=\"instance\" value=\"")
                    .append(Html.text(chain.instance()))
                    .append("\"><button type=\"submit\">Verify</button></form></td></tr>");
        }
        h.append("</tbody></table><h2>Latest signed checkpoints</h2>");
        Map<String, HeadCheckpoint> checkpoints = store.latestCheckpoints();
        if (checkpoints.isEmpty()) {
            h.append("<p class=\"empty\">No checkpoint signed yet.</p>");
        } else {
            h.append("<table id=\"checkpoints\"><thead><tr><th>instance</th><th>time</th><th>operator key</th>"
                    + "<th>chains</th></tr></thead><tbody>");
            checkpoints.values().forEach(c -> h.append("<tr><td>")
                    .append(Html.text(c.instance()))
                    .append("</td><td>")
                    .append(Html.time(c.time()))
                    .append("</td><td>")
                    .append(Html.text(c.keyId()))
                    .append("</td><td>")
                    .append(c.heads().size())
                    .append("</td></tr>"));
            h.append("</tbody></table>");
        }
        return h.toString();
    }
}
