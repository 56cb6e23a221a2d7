package dev.warden.gateway.security;

import static dev.warden.gateway.security.RawHttp.request;

import dev.warden.gateway.security.RawHttp.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every route of the gateway, asked for in every spelling of its path that a router, a proxy or a decoder might
 * read differently, with every kind of wrong or missing credential, over a raw socket so that nothing normalises
 * the request on the way. Collects what went wrong instead of stopping at the first, so one run shows them all.
 */
final class AccessProbe {

    enum Area {
        API,
        ADMIN,
        OPERATIONS,
        PROBE
    }

    /** {@code exposed} false: an actuator endpoint this gateway does not expose, asked for all the same. */
    record Route(String method, String path, Area area, boolean exposed) {
        Route(String method, String path, Area area) {
            this(method, path, area, true);
        }
    }

    /** Every route the gateway serves, /v1, /admin and /actuator. */
    static final List<Route> ROUTES = List.of(
            new Route("POST", "/v1/chat/completions", Area.API),
            new Route("POST", "/v1/completions", Area.API),
            new Route("GET", "/v1/models", Area.API),
            new Route("GET", "/v1/models/test-model", Area.API),
            new Route("POST", "/v1/moderations", Area.API),
            new Route("POST", "/v1/safety/run-shield", Area.API),
            new Route("GET", "/admin/tenants", Area.ADMIN),
            new Route("GET", "/admin/tenants/acme/policy", Area.ADMIN),
            new Route("GET", "/admin/audit/records", Area.ADMIN),
            new Route("GET", "/admin/audit/counts", Area.ADMIN),
            new Route("GET", "/admin/audit/export?format=jsonl", Area.ADMIN),
            new Route("GET", "/admin/audit/verify", Area.ADMIN),
            new Route("POST", "/admin/audit/retention", Area.ADMIN),
            new Route("GET", "/actuator", Area.OPERATIONS),
            new Route("GET", "/actuator/prometheus", Area.OPERATIONS),
            new Route("GET", "/actuator/info", Area.OPERATIONS),
            new Route("GET", "/actuator/metrics", Area.OPERATIONS, false),
            new Route("GET", "/actuator/env", Area.OPERATIONS, false),
            new Route("GET", "/actuator/health", Area.PROBE),
            new Route("GET", "/actuator/health/liveness", Area.PROBE),
            new Route("GET", "/actuator/health/readiness", Area.PROBE));

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CHAT = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", "
            + "\"content\": \"hi\"}], \"input\": \"hi\", \"messages_\": []}";
    /** The right shape for a key, but nobody's. */
    static final String NOBODYS_KEY = "wdn-" + "Qx7".repeat(13) + "Z";

    private final int port;
    private final String tenantKey;
    private final String adminKey;
    private final List<String> problems = new ArrayList<>();
    private int sent;

    AccessProbe(int port, String tenantKey, String adminKey) {
        this.port = port;
        this.tenantKey = tenantKey;
        this.adminKey = adminKey;
    }

    List<String> problems() {
        return problems;
    }

    int sent() {
        return sent;
    }

    /**
     * Spellings of {@code path} that mean the same route to some reader: matrix parameters, percent-encoded
     * letters, digits, slashes and dots, double encoding, dot segments, doubled and back slashes, case, trailing
     * characters, absolute-form targets. Each is refused by the gateway (400) or reaches no route (404).
     */
    static Map<String, String> variants(String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q);
        String[] seg = path.substring(1).split("/");
        String first = seg[0];
        String rest = path.substring(1 + first.length());
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < seg.length; i++) {
            String[] m = seg.clone();
            m[i] = m[i] + ";x";
            v.put("matrix on segment " + i, "/" + String.join("/", m) + query);
        }
        v.put("empty matrix", "/" + first + ";" + rest + query);
        v.put("matrix with =", "/" + first + ";jsessionid=1" + rest + query);
        v.put("matrix at the end", path + ";x=1" + query);
        v.put("encoded first letter", "/" + pct(first.charAt(0), false) + first.substring(1) + rest + query);
        v.put("encoded first letter, upper hex", "/" + pct(first.charAt(0), true) + first.substring(1) + rest + query);
        StringBuilder all = new StringBuilder();
        first.chars().forEach(c -> all.append(pct((char) c, false)));
        v.put("encoded first segment", "/" + all + rest + query);
        v.put(
                "double-encoded first letter",
                "/%25" + Integer.toHexString(first.charAt(0)) + first.substring(1) + rest + query);
        if (seg.length > 1) {
            v.put("encoded slash", "/" + first + "%2F" + path.substring(2 + first.length()) + query);
            v.put("encoded slash, lower hex", "/" + first + "%2f" + path.substring(2 + first.length()) + query);
            v.put("dot segment inside", "/" + first + "/." + rest + query);
            v.put("dot-dot segment inside", "/" + first + "/x/.." + rest + query);
            v.put("encoded dot-dot inside", "/" + first + "/x/%2e%2e" + rest + query);
            v.put("backslash", "/" + first + "\\" + path.substring(2 + first.length()) + query);
            v.put("doubled slash inside", "/" + first + "/" + rest + query);
        }
        v.put("leading doubled slash", "/" + path + query);
        v.put("leading dot segment", "/." + path + query);
        v.put("leading dot-dot segment", "/x/.." + path + query);
        v.put("encoded dot segment", "/%2e" + path + query);
        v.put("overlong UTF-8 dot", "/%c0%ae" + path + query);
        v.put("null byte", "/" + first + "%00" + rest + query);
        v.put("encoded space at the end", path + "%20" + query);
        v.put("trailing slash", path + "/" + query);
        v.put("upper case", "/" + first.toUpperCase() + rest + query);
        v.put("absolute form with matrix", "http://127.0.0.1/" + first + ";x" + rest + query);
        v.put(
                "absolute form, encoded",
                "http://127.0.0.1/" + pct(first.charAt(0), false) + first.substring(1) + rest + query);
        v.put("fullwidth letter", "/" + "\uFF41" + first.substring(1) + rest + query);
        return v;
    }

    /** Whether a variant is one the canonical-path filter must refuse with 400 (rather than leave to the router). */
    static boolean nonCanonical(String target) {
        String path = target.startsWith("http://") ? target.substring(target.indexOf('/', 7)) : target;
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        return path.contains("%")
                || path.contains(";")
                || path.contains("//")
                || path.contains("\\")
                || path.contains("/./")
                || path.contains("/../")
                || path.endsWith("/..")
                || path.endsWith("/.");
    }

    private static String pct(char c, boolean upper) {
        String hex = Integer.toHexString(c);
        return "%" + (upper ? hex.toUpperCase() : hex);
    }

    /** Header sets that carry no credential valid for {@code area}. */
    Map<String, String[]> wrongCredentials(Area area, boolean adminEnabled) {
        Map<String, String[]> h = new LinkedHashMap<>();
        h.put("no Authorization", new String[0]);
        h.put("empty Bearer", new String[] {"Authorization: Bearer"});
        h.put("Bearer and spaces", new String[] {"Authorization: Bearer    "});
        h.put("Basic credentials", new String[] {"Authorization: Basic dXNlcjpwYXNz"});
        h.put("nobody's key", new String[] {"Authorization: Bearer " + NOBODYS_KEY});
        h.put("key without scheme", new String[] {"Authorization: " + (area == Area.API ? tenantKey : adminKey)});
        h.put("routing headers", new String[] {
            "X-Original-URL: /actuator/health",
            "X-Rewrite-URL: /actuator/health",
            "X-Forwarded-Prefix: /actuator/health",
            "X-Forwarded-Path: /actuator/health"
        });
        if (area == Area.API) {
            h.put("admin key", new String[] {"Authorization: Bearer " + adminKey});
            h.put(
                    "two headers, valid first",
                    new String[] {"Authorization: Bearer " + tenantKey, "Authorization: Bearer " + NOBODYS_KEY});
            h.put(
                    "two headers, valid second",
                    new String[] {"Authorization: Bearer " + NOBODYS_KEY, "Authorization: Bearer " + tenantKey});
        } else {
            h.put("tenant key", new String[] {"Authorization: Bearer " + tenantKey});
            h.put(
                    "two headers, admin first",
                    new String[] {"Authorization: Bearer " + adminKey, "Authorization: Bearer " + NOBODYS_KEY});
            if (!adminEnabled) {
                h.put("an admin key, admin API off", new String[] {"Authorization: Bearer " + adminKey});
            }
        }
        return h;
    }

    String[] rightCredentials(Area area) {
        return switch (area) {
            case API -> new String[] {"Authorization: Bearer " + tenantKey};
            case ADMIN, OPERATIONS -> new String[] {"Authorization: Bearer " + adminKey};
            case PROBE -> new String[0];
        };
    }

    /** Sends one request on a fresh connection; a missing answer or a 5xx is a problem whatever else is expected. */
    Response send(Route route, String target, String what, String[] headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        String body = null;
        if (route.method().equals("POST")) {
            all.add("Content-Type: application/json");
            body = route.area() == Area.API ? CHAT : "";
        }
        Response r = RawHttp.exchange(
                port, request(route.method(), target, body, all.toArray(String[]::new)), Duration.ofSeconds(10));
        sent++;
        String where = route.method() + " " + target + " [" + what + "]";
        if (!r.answered()) {
            problems.add(where + ": no answer (" + (r.status() == -1 ? "timed out" : "closed") + ")");
        } else if (r.status() >= 500) {
            problems.add(where + ": " + r);
        } else if (r.status() >= 400 && !r.body().isEmpty() && !openAiError(r)) {
            problems.add(where + ": refusal not in OpenAI's error shape: " + r);
        }
        return r;
    }

    static boolean openAiError(Response r) {
        try {
            JsonNode error = JSON.readTree(r.body()).path("error");
            return error.has("message") && error.has("type") && error.has("param") && error.has("code");
        } catch (RuntimeException e) {
            return false;
        }
    }

    void expect(boolean ok, String what) {
        if (!ok) {
            problems.add(what);
        }
    }
}
