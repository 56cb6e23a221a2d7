package dev.warden.gateway.web;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: always the gateway's own, fresh and random; the client's own id, when well formed, kept beside. */
public final class RequestIds {

    public static final String HEADER = "x-request-id";
    /** The client's {@code x-request-id}, echoed under this header (and kept in the request's state). */
    public static final String CLIENT_HEADER = "x-client-request-id";

    /** Short enough for logs and safe to echo in a header: no spaces, quotes or control characters. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}");

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

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
}
