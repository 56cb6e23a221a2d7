package dev.warden.gateway.security;

import static dev.warden.gateway.security.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.security.RawHttp.Response;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection keeps being read after a request that waited behind another one was refused at once.
 * Reactor Netty 1.3.x buffers a request that arrives while the previous exchange is still finishing; when the
 * buffered request is answered synchronously (a 401 is), the queue drains without the next read being asked for,
 * and the connection's next request is never read (reactor/reactor-netty#4361): the client waits for ever. This
 * is the 20 s hang of AuthFailureAuditTest and GuardFlowTest.
 */
class KeepAliveTest extends GatewayTest {

    private static final String CHAT =
            "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", " + "\"content\": \"hi\"}]}";

    @Test
    void theRequestAfterAQueuedRefusalIsAnswered() {
        for (int round = 0; round < 3; round++) {
            UPSTREAM.enqueue(ScriptedReply.text("ok"));
            try (RawHttp http = new RawHttp(port, Duration.ofSeconds(10))) {
                // The first exchange waits for the upstream and the audit writer, so the second arrives while it
                // is still open and is queued behind it; the second is refused (no key) without reading its body.
                http.send(request(
                                "POST",
                                "/v1/chat/completions",
                                CHAT,
                                "Authorization: Bearer " + TENANTS.localKey,
                                "Content-Type: application/json")
                        + request("POST", "/v1/chat/completions", CHAT, "Content-Type: application/json"));
                assertThat(http.read().status()).isEqualTo(200);
                assertThat(http.read().status()).isEqualTo(401);

                http.send(request("GET", "/v1/models", null, "Authorization: Bearer " + TENANTS.localKey));
                Response third = http.read();

                assertThat(third.status()).as("round %d: %s", round, third).isEqualTo(200);
            }
        }
    }
}
