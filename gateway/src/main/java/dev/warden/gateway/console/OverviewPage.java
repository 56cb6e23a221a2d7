package dev.warden.gateway.console;

import dev.warden.guard.Verdict;
import dev.warden.policy.audit.AuditPage;
import dev.warden.policy.audit.AuditQuery;
import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.audit.AuditStore;
import dev.warden.policy.audit.BucketCount;
import dev.warden.policy.audit.CountKey;
import dev.warden.policy.audit.Outcome;
import dev.warden.policy.audit.TimeBucket;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The overview: requests and blocks over time (block rate per bucket, and by category), blocks by tenant and by
 * model and the categories behind them (category &times; tenant &times; model), the rules that blocked most,
 * fail-open bypasses, rate-limit and licence denials and cut streams. The same URL filters as the explorer
 * narrow it (tenant, model, time...); the default window is the last 24 hours, in hours.
 */
final class OverviewPage {

    /** Blocked: refused before inference, or cut while the answer was on its way. */
    static final List<Outcome> BLOCKS = List.of(Outcome.BLOCKED_INPUT, Outcome.CUT_OUTPUT);
    /** Bypasses are found by reading allowed records; at most this many per view. */
    static final int BYPASS_SCAN_LIMIT = 5000;

    private static final int TOP = 10;

    private final AuditStore store;

    OverviewPage(AuditStore store) {
        this.store = store;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return ConsolePages.who(request).flatMap(who -> {
            RecordFilters filters;
            TimeBucket bucket;
            try {
                filters = RecordFilters.of(request.queryParams());
                bucket = bucket(request.queryParams().getFirst("bucket"));
            } catch (IllegalArgumentException e) {
                return ConsolePages.page(
                        request,
                        who,
                        "Overview",
                        "Overview",
                        "<p class=\"error\">" + Html.text(e.getMessage()) + "</p>",
                        HttpStatus.BAD_REQUEST);
            }
            if (filters.get("from") == null && filters.get("to") == null) {
                filters = filters.with(
                        "from",
                        Instant.now()
                                .minus(24, ChronoUnit.HOURS)
                                .truncatedTo(ChronoUnit.HOURS)
                                .toString());
            }
            RecordFilters f = filters;
            return ConsolePages.blocking(() -> render(f, bucket))
                    .flatMap(body -> ConsolePages.page(request, who, "Overview", "Overview", body, HttpStatus.OK));
        });
    }

    private static TimeBucket bucket(String value) {
        if (value == null || value.isBlank()) {
            return TimeBucket.HOUR;
        }
        try {
            return TimeBucket.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bucket: minute, hour or day, not '" + value + "'");
        }
    }

    private String render(RecordFilters filters, TimeBucket bucket) {
        // Every outcome counts here, and only tenants' requests: not the reserved chains (admin actions, refused
        // authentications) unless a tenant filter names one.
        AuditQuery all = filters.with("outcome", null).query().toBuilder()
                .tenantsOnly(filters.get("tenant") == null)
                .build();
        AuditQuery blocked =
                all.toBuilder().outcome(BLOCKS.toArray(Outcome[]::new)).build();
        boolean outcomeFiltered = filters.get("outcome") != null;

        List<BucketCount> outcomes = store.count(all, bucket, CountKey.OUTCOME);
        List<BucketCount> blockedCategories = store.count(blocked, bucket, CountKey.CATEGORY);
        Map<String, Long> byOutcome = sum(outcomes);
        long total = byOutcome.values().stream().mapToLong(Long::longValue).sum();
        long blocks = BLOCKS.stream()
                .mapToLong(o -> byOutcome.getOrDefault(o.name(), 0L))
                .sum();

        StringBuilder h = new StringBuilder();
        filterForm(h, filters, bucket);
        h.append("<section class=\"tiles\">");
        tile(h, "requests", "Requests", total, null);
        tile(h, "blocks", "Blocked", blocks, link(filters, "blocked_input"));
        h.append("<div class=\"tile\" id=\"tile-block-rate\"><span class=\"n\">")
                .append(rate(blocks, total))
                .append("</span><span>block rate</span></div>");
        tile(h, "bypasses", "Fail-open bypasses", bypasses(all), null);
        tile(
                h,
                "rate-limited",
                "Rate-limit denials",
                byOutcome.getOrDefault("RATE_LIMITED", 0L),
                link(filters, "rate_limited"));
        tile(
                h,
                "licence-denied",
                "Licence denials",
                byOutcome.getOrDefault("LICENCE_DENIED", 0L),
                link(filters, "licence_denied"));
        tile(
                h,
                "cut-streams",
                "Cut streams",
                byOutcome.getOrDefault("CUT_OUTPUT", 0L) + byOutcome.getOrDefault("PARTIAL_STREAM", 0L),
                link(filters, "cut_output"));
        h.append("</section>");
        if (outcomeFiltered) {
            h.append("<p class=\"note\">The overview counts every outcome; the outcome filter applies in the "
                    + "request explorer.</p>");
        }

        timeSeries(h, bucket, outcomes, blockedCategories);
        breakdowns(h, all, blocked, bucket);
        topRules(h, blocked, bucket);
        outcomeTable(h, byOutcome, filters);
        return h.toString();
    }

    private static String link(RecordFilters filters, String outcome) {
        return "/console/requests?" + filters.with("outcome", outcome).queryString();
    }

    private static void filterForm(StringBuilder h, RecordFilters f, TimeBucket bucket) {
        h.append("<form method=\"get\" action=\"/console\" class=\"filters\">");
        for (String name : List.of("tenant", "model", "from", "to")) {
            h.append("<label>")
                    .append(name)
                    .append(" <input name=\"")
                    .append(name)
                    .append("\" value=\"")
                    .append(Html.text(f.get(name)))
                    .append("\"></label>");
        }
        h.append("<label>bucket <select name=\"bucket\">");
        for (TimeBucket b : TimeBucket.values()) {
            String id = b.name().toLowerCase(Locale.ROOT);
            h.append("<option value=\"")
                    .append(id)
                    .append("\"")
                    .append(b == bucket ? " selected" : "")
                    .append(">")
                    .append(id)
                    .append("</option>");
        }
        h.append("</select></label><button type=\"submit\">Show</button></form>");
    }

    private static void tile(StringBuilder h, String id, String label, long n, String href) {
        h.append("<div class=\"tile\" id=\"tile-").append(id).append("\"><span class=\"n\">");
        if (href != null && n > 0) {
            h.append("<a href=\"")
                    .append(Html.text(href))
                    .append("\">")
                    .append(n)
                    .append("</a>");
        } else {
            h.append(n);
        }
        h.append("</span><span>").append(Html.text(label)).append("</span></div>");
    }

    static String rate(long part, long whole) {
        return whole == 0 ? "&mdash;" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    /** Per bucket: requests, blocks, block rate (as a bar) and the categories of the blocks. */
    private static void timeSeries(
            StringBuilder h, TimeBucket bucket, List<BucketCount> outcomes, List<BucketCount> blockedCategories) {
        Map<Instant, long[]> rows = new TreeMap<>();
        for (BucketCount c : outcomes) {
            long[] r = rows.computeIfAbsent(c.bucket(), b -> new long[2]);
            r[0] += c.count();
            if (BLOCKS.stream().anyMatch(o -> o.name().equals(c.key()))) {
                r[1] += c.count();
            }
        }
        TreeSet<String> categories = new TreeSet<>();
        Map<Instant, Map<String, Long>> byCategory = new TreeMap<>();
        for (BucketCount c : blockedCategories) {
            categories.add(c.key());
            byCategory.computeIfAbsent(c.bucket(), b -> new TreeMap<>()).merge(c.key(), c.count(), Long::sum);
        }
        h.append("<h2>Block rate over time (per ")
                .append(bucket.name().toLowerCase(Locale.ROOT))
                .append(")</h2>");
        if (rows.isEmpty()) {
            h.append("<p class=\"empty\">No requests in this window.</p>");
            return;
        }
        h.append("<table id=\"over-time\"><thead><tr><th>from</th><th>requests</th><th>blocked</th>"
                + "<th>block rate</th>");
        categories.forEach(c -> h.append("<th>").append(Html.text(c)).append("</th>"));
        h.append("</tr></thead><tbody>");
        rows.forEach((start, r) -> {
            int width = r[0] == 0 ? 0 : (int) Math.round(100.0 * r[1] / r[0]);
            h.append("<tr><td>")
                    .append(Html.time(start))
                    .append("</td><td>")
                    .append(r[0])
                    .append("</td><td>")
                    .append(r[1])
                    .append("</td><td><svg class=\"bar\" width=\"100\" height=\"10\" role=\"img\" " + "aria-label=\"")
                    .append(rate(r[1], r[0]).replace("&mdash;", "none"))
                    .append("\"><rect width=\"100\" height=\"10\" fill=\"#e5e7eb\"/><rect width=\"")
                    .append(width)
                    .append("\" height=\"10\" fill=\"#b91c1c\"/></svg> ")
                    .append(rate(r[1], r[0]))
                    .append("</td>");
            Map<String, Long> cats = byCategory.getOrDefault(start, Map.of());
            categories.forEach(
                    c -> h.append("<td>").append(cats.getOrDefault(c, 0L)).append("</td>"));
            h.append("</tr>");
        });
        h.append("</tbody></table>");
    }

    /** Blocks by tenant and by model, and which categories they were, tenant &times; model &times; category. */
    private void breakdowns(StringBuilder h, AuditQuery all, AuditQuery blocked, TimeBucket bucket) {
        Map<String, Long> requestsByTenant = sum(store.count(all, TimeBucket.DAY, CountKey.TENANT));
        Map<String, Long> blocksByTenant = sum(store.count(blocked, TimeBucket.DAY, CountKey.TENANT));
        Map<String, Long> requestsByModel = sum(store.count(all, TimeBucket.DAY, CountKey.MODEL));
        Map<String, Long> blocksByModel = sum(store.count(blocked, TimeBucket.DAY, CountKey.MODEL));
        h.append("<div class=\"columns\">");
        share(h, "by-tenant", "Tenant", requestsByTenant, blocksByTenant);
        share(h, "by-model", "Model", requestsByModel, blocksByModel);
        h.append("</div>");

        h.append("<h2>Blocked by category &times; tenant &times; model</h2>");
        List<String> tenants = top(blocksByTenant);
        List<String> models = top(blocksByModel);
        List<String[]> rows = new ArrayList<>();
        for (String tenant : tenants) {
            for (String model : models) {
                AuditQuery q = blocked.toBuilder()
                        .tenant(tenant)
                        .model(model.isEmpty() ? null : model)
                        .build();
                for (Map.Entry<String, Long> c :
                        sum(store.count(q, TimeBucket.DAY, CountKey.CATEGORY)).entrySet()) {
                    rows.add(new String[] {c.getKey(), tenant, model, Long.toString(c.getValue())});
                }
            }
        }
        if (rows.isEmpty()) {
            h.append("<p class=\"empty\">No blocked request carried a category in this window.</p>");
            return;
        }
        rows.sort(
                Comparator.<String[], Long>comparing(r -> -Long.parseLong(r[3])).thenComparing(r -> r[0]));
        h.append("<table id=\"category-tenant-model\"><thead><tr><th>category</th><th>tenant</th><th>model</th>"
                + "<th>blocked</th></tr></thead><tbody>");
        for (String[] r : rows) {
            h.append("<tr><td>")
                    .append(Html.text(r[0]))
                    .append("</td><td>")
                    .append(Html.text(r[1]))
                    .append("</td><td>")
                    .append(Html.orDash(r[2]))
                    .append("</td><td>")
                    .append(r[3])
                    .append("</td></tr>");
        }
        h.append("</tbody></table>");
    }

    private static void share(
            StringBuilder h, String id, String what, Map<String, Long> requests, Map<String, Long> blocks) {
        h.append("<section><h2>By ")
                .append(what.toLowerCase(Locale.ROOT))
                .append("</h2><table id=\"")
                .append(id)
                .append("\"><thead><tr><th>")
                .append(what)
                .append("</th><th>requests</th><th>blocked</th>" + "<th>block rate</th></tr></thead><tbody>");
        requests.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP * 2L)
                .forEach(e -> {
                    long b = blocks.getOrDefault(e.getKey(), 0L);
                    h.append("<tr><td>")
                            .append(Html.orDash(e.getKey()))
                            .append("</td><td>")
                            .append(e.getValue())
                            .append("</td><td>")
                            .append(b)
                            .append("</td><td>")
                            .append(rate(b, e.getValue()))
                            .append("</td></tr>");
                });
        h.append("</tbody></table></section>");
    }

    private void topRules(StringBuilder h, AuditQuery blocked, TimeBucket bucket) {
        Map<String, Long> rules = sum(store.count(blocked, TimeBucket.DAY, CountKey.RULE));
        h.append("<h2>Top blocking rules</h2>");
        if (rules.isEmpty()) {
            h.append("<p class=\"empty\">Nothing was blocked in this window.</p>");
            return;
        }
        h.append("<table id=\"top-rules\"><thead><tr><th>rule</th><th>blocked</th></tr></thead><tbody>");
        rules.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> h.append("<tr><td>")
                        .append(Html.orDash(e.getKey()))
                        .append("</td><td>")
                        .append(e.getValue())
                        .append("</td></tr>"));
        h.append("</tbody></table>");
    }

    private static void outcomeTable(StringBuilder h, Map<String, Long> byOutcome, RecordFilters filters) {
        h.append("<h2>Outcomes</h2><table id=\"outcomes\"><thead><tr><th>outcome</th><th>requests</th></tr></thead>"
                + "<tbody>");
        byOutcome.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> {
                    String id = e.getKey().toLowerCase(Locale.ROOT);
                    h.append("<tr><td><a href=\"")
                            .append(Html.text(link(filters, id)))
                            .append("\">")
                            .append(Html.text(id))
                            .append("</a></td><td>")
                            .append(e.getValue())
                            .append("</td></tr>");
                });
        h.append("</tbody></table>");
    }

    /**
     * Allowed requests that some classifier could not judge (error, timeout) and that went through because the
     * tenant fails open: read from the records themselves, the newest {@value #BYPASS_SCAN_LIMIT} at most.
     */
    private long bypasses(AuditQuery all) {
        AuditQuery q = all.toBuilder()
                .outcome(Outcome.ALLOWED)
                .limit(AuditQuery.MAX_LIMIT)
                .cursor(null)
                .build();
        long found = 0;
        int read = 0;
        while (read < BYPASS_SCAN_LIMIT) {
            AuditPage page = store.query(q);
            for (AuditRecord r : page.records()) {
                if (r.verdicts().stream().anyMatch(v -> v.status() != Verdict.Status.OK)) {
                    found++;
                }
            }
            read += page.entries().size();
            if (page.nextCursor().isEmpty()) {
                break;
            }
            q = q.toBuilder().cursor(page.nextCursor().get()).build();
        }
        return found;
    }

    private static Map<String, Long> sum(List<BucketCount> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach(c -> out.merge(c.key(), c.count(), Long::sum));
        return out;
    }

    private static List<String> top(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .map(Map.Entry::getKey)
                .toList();
    }
}
