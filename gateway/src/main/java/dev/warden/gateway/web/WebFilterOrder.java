package dev.warden.gateway.web;

import org.springframework.core.Ordered;

/** The order of the gateway's web filters, in one place, since each relies on the ones before it. */
public final class WebFilterOrder {

    /** Security headers first: every response, refusals included, carries them. */
    public static final int SECURITY_HEADERS = Ordered.HIGHEST_PRECEDENCE;
    /** Then the request id, which refusals quote. */
    public static final int REQUEST_ID = Ordered.HIGHEST_PRECEDENCE + 1;
    public static final int METRICS = Ordered.HIGHEST_PRECEDENCE + 2;
    /** Before any key check: the checks may then trust the path. */
    public static final int CANONICAL_PATH = Ordered.HIGHEST_PRECEDENCE + 3;
    public static final int API_KEY = Ordered.HIGHEST_PRECEDENCE + 4;
    public static final int ADMIN_KEY = Ordered.HIGHEST_PRECEDENCE + 5;

    private WebFilterOrder() {
    }
}
