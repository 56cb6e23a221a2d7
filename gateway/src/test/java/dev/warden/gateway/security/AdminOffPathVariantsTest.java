package dev.warden.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.AdminDisabledGatewayTest;
import dev.warden.inference.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

/**
 * {@link PathVariantsTest} on a default install (admin API off): /admin and the metrics answer 404 to everything,
 * an admin key included, whatever the spelling.
 */
class AdminOffPathVariantsTest extends AdminDisabledGatewayTest {

    @Test
    void noSpellingOfAnyPathOpensARouteWithoutItsKey() {
        UPSTREAM.always(ScriptedReply.text("ok"));
        AccessProbe probe = new AccessProbe(port, TENANTS.localKey, ADMIN_KEY);

        PathVariantsTest.run(probe, false);

        assertThat(probe.problems()).as("%d requests sent", probe.sent()).isEmpty();
        assertThat(probe.sent()).isGreaterThan(1000);
    }
}
