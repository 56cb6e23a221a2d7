package dev.warden.gateway.web;

import java.util.regex.Pattern;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one reading of a request's path that every access decision uses: the path the router matches (decoded,
 * matrix parameters dropped), never the raw one. A filter testing the raw text while the router matched the
 * decoded form is how {@code /admin;x/...} and {@code /%61dmin/...} once walked past the key checks.
 * <p>
 * On top of that, {@link CanonicalPathFilter} refuses every path whose raw and routed forms could differ, so the
 * two readings are the same text for every request that gets further.
 */
public final class RequestPaths {

    /** The parts of the gateway, each with its own key. */
    public enum Area {
        /** {@code /v1} and below: a tenant key. */
        API,
        /** {@code /admin} and below: the admin key. */
        ADMIN,
        /** actuator endpoints but the health probes (metrics name tenants): the admin key */
        OPERATIONS,
        /** anything else (the health probes among them): no key; nothing else is served there but 404s */
        OTHER
    }

    /**
     * The characters a canonical path may hold: RFC 3986 unreserved characters, '/', and the sub-delimiters and
     * ':' and '@' that need no decoding. No '%' (nothing to decode), no ';' (no matrix parameters), no '\'.
     */
    private static final Pattern CANONICAL = Pattern.compile("/[A-Za-z0-9\\-._~!$&'()*+,=:@/]*");

    private static final int MAX_LENGTH = 2048;

    private RequestPaths() {}

    /** The path as the router matches it: each segment decoded, without its matrix parameters. */
    public static String routed(ServerWebExchange exchange) {
        StringBuilder path = new StringBuilder();
        for (PathContainer.Element e :
                exchange.getRequest().getPath().pathWithinApplication().elements()) {
            path.append(e instanceof PathContainer.PathSegment s ? s.valueToMatch() : e.value());
        }
        return path.isEmpty() ? "/" : path.toString();
    }

    public static Area area(ServerWebExchange exchange) {
        return area(routed(exchange));
    }

    static Area area(String routedPath) {
        if (under(routedPath, "/v1")) {
            return Area.API;
        }
        if (under(routedPath, "/admin")) {
            return Area.ADMIN;
        }
        if (under(routedPath, "/actuator") && !under(routedPath, "/actuator/health")) {
            return Area.OPERATIONS;
        }
        return Area.OTHER;
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /**
     * Why the raw path is not in canonical form, or null when it is: percent-encoding, matrix parameters,
     * backslashes, empty, '.' or '..' segments, or characters outside the canonical set.
     */
    public static String nonCanonical(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return "the path must begin with '/'";
        }
        if (rawPath.length() > MAX_LENGTH) {
            return "the path is longer than " + MAX_LENGTH + " characters";
        }
        if (!CANONICAL.matcher(rawPath).matches()) {
            return "the path holds characters this gateway does not accept in a path (percent-encoding, ';', '\\' "
                    + "or others)";
        }
        if (rawPath.contains("//")) {
            return "the path has an empty segment ('//')";
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "the path has a '.' or '..' segment";
            }
        }
        return null;
    }
}
