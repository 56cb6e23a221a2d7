package dev.warden.gateway.security;

import static dev.warden.gateway.security.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.security.RawHttp.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Slow and greedy clients are shed instead of holding connections: headers must arrive within the header timeout,
 * a body may not stall past the read timeout, and connections beyond the budget are closed at once. Short limits
 * here (a second), so that a connection held for the 120 s idle timeout shows up as a read that times out at 10 s.
 */
class SlowClientTest extends GatewayTest {

    private static final int BUDGET = 24;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void limits(DynamicPropertyRegistry registry) {
        registry.add("warden.server.header-timeout", () -> "1s");
        registry.add("warden.server.read-timeout", () -> "1s");
        registry.add("warden.server.request-timeout", () -> "3s");
        registry.add("warden.server.max-connections", () -> String.valueOf(BUDGET));
    }

    @Test
    void halfSentHeadersGet408AndTheConnectionCloses() {
        try (RawHttp http = new RawHttp(port, WAIT)) {
            http.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ");

            Response r = http.read();

            assertThat(r.status()).as(r.toString()).isEqualTo(408);
            assertThat(AccessProbe.openAiError(r)).isTrue();
            assertThat(http.read().status()).as("then closed").isEqualTo(0);
        }
    }

    @Test
    void headersTrickledAByteAtATimeAreCutOffAtTheHeaderTimeout() {
        try (RawHttp http = new RawHttp(port, WAIT)) {
            String head = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(400);
            // A byte every 100 ms for 4 s: each resets an idle timer, but the header deadline (1 s) counts from
            // the first byte, so the 408 is already waiting when the trickle stops.
            for (int i = 0; i < 40; i++) {
                http.send(head.substring(i, i + 1));
                org.awaitility.Awaitility.await()
                        .pollDelay(Duration.ofMillis(100))
                        .until(() -> true);
            }

            Response r = http.read();

            assertThat(r.status()).as(r.toString()).isIn(408, 0);
        }
    }

    @Test
    void aStalledBodyEndsTheRequestInsteadOfHoldingIt() {
        try (RawHttp http = new RawHttp(port, WAIT)) {
            http.send(
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TENANTS.localKey
                            + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":");

            Response r = http.read();

            assertThat(r.status()).as(r.toString()).isEqualTo(408);
            assertThat(AccessProbe.openAiError(r)).isTrue();
        }
    }

    @Test
    void connectionsBeyondTheBudgetAreClosedAndServedOnesGoOn() throws IOException {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < BUDGET + 8; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout((int) WAIT.toMillis());
                held.add(s);
            }
            // The budget holds open connections of every test of this class and context; the surplus is closed.
            int closed = 0;
            for (Socket s : held) {
                if (closedByServer(s)) {
                    closed++;
                }
            }
            assertThat(closed).isGreaterThanOrEqualTo(8);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // Once they are gone, new connections are served again.
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> RawHttp.exchange(
                                        port,
                                        request("GET", "/v1/models", null, "Authorization: Bearer " + TENANTS.localKey),
                                        WAIT)
                                .status()
                        == 200);
    }

    /** Closed by the server: a read ends at once; an open idle connection blocks until the short read timeout. */
    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(300);
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
