package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

class MetricsAndHealthTest extends GatewayTest {

    @Test
    void livenessAndReadinessAreUp() {
        HttpCalls http = new HttpCalls(baseUrl());

        assertThat(http.get("/actuator/health/liveness", null).body()).contains("\"UP\"");
        assertThat(http.get("/actuator/health/readiness", null).body()).contains("\"UP\"");
    }

    @Test
    void prometheusShowsRequestCountsAndLatencyHistogramsByRouteTenantAndStatus() {
        HttpCalls http = new HttpCalls(baseUrl());
        UPSTREAM.enqueue(ScriptedReply.text("ok"));
        String body = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        assertThat(http.post("/v1/chat/completions", TENANTS.acmeKey, "application/json", body).status())
                .isEqualTo(200);
        assertThat(http.post("/v1/chat/completions", null, "application/json", body).status()).isEqualTo(401);

        Reply metrics = http.get("/actuator/prometheus", ADMIN_KEY);

        assertThat(metrics.status()).isEqualTo(200);
        // Metrics name tenants: the admin key opens them, nothing else does; the probes stay open.
        assertThat(http.get("/actuator/prometheus", null).status()).isEqualTo(401);
        assertThat(http.get("/actuator/prometheus", TENANTS.acmeKey).status()).isEqualTo(401);
        assertThat(metrics.body())
                .containsPattern("warden_http_requests_seconds_count\\{[^}]*route=\"/v1/chat/completions\""
                        + "[^}]*status=\"200\"[^}]*tenant=\"acme\"[^}]*} [1-9]")
                .containsPattern("warden_http_requests_seconds_bucket\\{[^}]*route=\"/v1/chat/completions\""
                        + "[^}]*status=\"401\"[^}]*tenant=\"none\"");
    }
}
