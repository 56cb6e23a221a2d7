package dev.warden.gateway.web;

import org.springframework.core.Ordered;

/**
 * The order of the gateway's web filters, in one place, since each relies on the ones before it. These run on
 * every path ({@code /v1}, {@code /admin}, actuator, anything a scanner tries), before any route is chosen; the
 * {@code /v1} request path itself is a chain of route stages declared in {@code application.yaml}
 * (docs/ARCHITECTURE.md).
 */
public final class WebFilterOrder {

    /** Security headers first: every response, refusals included, carries them. */
    public static final int SECURITY_HEADERS = Ordered.HIGHEST_PRECEDENCE;
    /** Then the request id, which refusals quote. */
    public static final int REQUEST_ID = Ordered.HIGHEST_PRECEDENCE + 1;

    public static final int METRICS = Ordered.HIGHEST_PRECEDENCE + 2;
    /** Before any key check: the checks may then trust the path. */
    public static final int CANONICAL_PATH = Ordered.HIGHEST_PRECEDENCE + 3;
    /** After the canonical check (which reads the path as sent), before routing. */
    public static final int V1_PREFIX = Ordered.HIGHEST_PRECEDENCE + 4;
    /** The admin key on /admin and actuator paths (tenant keys are the /v1 routes' Authenticate stage). */
    public static final int ADMIN_KEY = Ordered.HIGHEST_PRECEDENCE + 5;

    private WebFilterOrder() {}
}
