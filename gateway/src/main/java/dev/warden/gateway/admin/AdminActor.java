package dev.warden.gateway.admin;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who performs an admin request, as admin actions record it: a key id ({@code admin:1a2b3c4d}), never a key. The
 * admin key filter (or a console sign-in) puts it in the exchange attribute {@link #ATTRIBUTE}; without one it is
 * {@code admin}.
 */
public final class AdminActor {

    public static final String ATTRIBUTE = "warden.admin.actor";

    private AdminActor() {}

    public static String of(ServerWebExchange exchange) {
        Object actor = exchange.getAttribute(ATTRIBUTE);
        return actor == null ? "admin" : actor.toString();
    }
}
