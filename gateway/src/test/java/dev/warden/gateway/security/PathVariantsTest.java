package dev.warden.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.security.AccessProbe.Area;
import dev.warden.gateway.security.AccessProbe.Route;
import dev.warden.gateway.security.RawHttp.Response;
import dev.warden.inference.testing.ScriptedReply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The access decision and the router read the same path: over every route (/v1, /admin, /actuator), no spelling
 * of the path and no header set without the right key gets a 2xx, none gets a 5xx or no answer, and every
 * non-canonical spelling is refused with 400 before routing, key or no key. With the admin API on (this context).
 */
class PathVariantsTest extends GatewayTest {

    @Test
    void noSpellingOfAnyPathOpensARouteWithoutItsKey() {
        UPSTREAM.always(ScriptedReply.text("ok"));
        AccessProbe probe = new AccessProbe(port, TENANTS.localKey, ADMIN_KEY);

        run(probe, true);

        assertThat(probe.problems()).as("%d requests sent", probe.sent()).isEmpty();
        assertThat(probe.sent()).isGreaterThan(1000);
    }

    /** Shared with {@link AdminOffPathVariantsTest}. */
    static void run(AccessProbe probe, boolean adminEnabled) {
        for (Route route : AccessProbe.ROUTES) {
            boolean open = route.area() == Area.PROBE;
            boolean reachable = (adminEnabled || route.area() == Area.API || open) && route.exposed();
            // The control: the canonical path with the right key is served, so the refusals below are not 404s
            // of a route that does not exist.
            Response served = probe.send(route, route.path(), "right key", probe.rightCredentials(route.area()));
            probe.expect(
                    reachable ? served.status() / 100 == 2 || served.status() == 400 : served.status() == 404,
                    route + " with its key: " + served);

            for (Map.Entry<String, String> variant :
                    AccessProbe.variants(route.path()).entrySet()) {
                String target = variant.getValue();
                Response withKey = probe.send(
                        route, target, variant.getKey() + ", right key", probe.rightCredentials(route.area()));
                if (AccessProbe.nonCanonical(target)) {
                    probe.expect(
                            withKey.status() == 400,
                            route.method() + " " + target + " (" + variant.getKey()
                                    + ") with its key should be refused as non-canonical: " + withKey);
                }
                if (!open) {
                    probe.expect(
                            withKey.status() / 100 != 2 || !AccessProbe.nonCanonical(target),
                            route.method() + " " + target + " served: " + withKey);
                }
            }
            if (open) {
                continue;
            }
            Map<String, String> variants = AccessProbe.variants(route.path());
            variants.put("canonical", route.path());
            for (Map.Entry<String, String> variant : variants.entrySet()) {
                for (Map.Entry<String, String[]> headers :
                        probe.wrongCredentials(route.area(), adminEnabled).entrySet()) {
                    Response r = probe.send(
                            route, variant.getValue(), variant.getKey() + ", " + headers.getKey(), headers.getValue());
                    probe.expect(
                            r.status() / 100 != 2 && r.status() / 100 != 3,
                            route.method() + " " + variant.getValue() + " [" + variant.getKey() + ", "
                                    + headers.getKey() + "] got " + r);
                    if (headers.getKey().startsWith("two headers")
                            && !AccessProbe.nonCanonical(variant.getValue())
                            && reachable
                            && variant.getKey().equals("canonical")) {
                        probe.expect(r.status() == 400, route + " with two Authorization headers: " + r);
                    }
                    if (r.status() == 401) {
                        probe.expect(
                                r.header("WWW-Authenticate") != null
                                        && r.header("WWW-Authenticate").startsWith("Bearer"),
                                route + ": 401 without WWW-Authenticate: Bearer");
                    }
                }
            }
        }
    }
}
