package dev.warden.gateway.web;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.springframework.web.server.ServerWebExchange;

/** Request ids: the client's when it is well formed, otherwise a fresh random one. */
public final class RequestIds {

    public static final String HEADER = "x-request-id";
    public static final String ATTRIBUTE = "warden.requestId";

    /** Short enough for logs and safe to echo in a header: no spaces, quotes or control characters. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static boolean wellFormed(String candidate) {
        return candidate != null && WELL_FORMED.matcher(candidate).matches();
    }

    /**
     * 128 random bits: unique, not secret (the id is echoed to the client and logged), so the per-thread generator
     * serves; SecureRandom would take a lock and read the kernel's pool on every request.
     */
    public static String fresh() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        char[] out = new char[4 + 32];
        "req_".getChars(0, 4, out, 0);
        for (int i = 0; i < bytes.length; i++) {
            out[4 + 2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[5 + 2 * i] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    public static String of(ServerWebExchange exchange) {
        String id = exchange.getAttribute(ATTRIBUTE);
        return id == null ? "unknown" : id;
    }
}
