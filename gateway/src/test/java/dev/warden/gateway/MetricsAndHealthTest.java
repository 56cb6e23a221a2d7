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
        assertThat(http.post("/v1/chat/completions", TENANTS.acmeKey, "application/json", body)
                        .status())
                .isEqualTo(200);
        assertThat(http.post("/v1/chat/completions", null, "application/json", body)
                        .status())
                .isEqualTo(401);

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

    @Test
    void prometheusShowsTheGenAiMetricsByModelAndTenantAndGuardDecisionsByCategory() {
        HttpCalls http = new HttpCalls(baseUrl());
        UPSTREAM.enqueue(ScriptedReply.text("one two three four five six"));
        String stream = "{\"model\": \"test-model\", \"stream\": true, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"count to six\"}]}";
        assertThat(http.post("/v1/chat/completions", TENANTS.playgroundKey, "application/json", stream)
                        .body())
                .contains("[DONE]");

        String metrics = http.get("/actuator/prometheus", ADMIN_KEY).body();

        String labels = "[^}]*gen_ai_operation_name=\"chat\"[^}]*gen_ai_request_model=\"test-model\""
                + "[^}]*tenant=\"playground\"";
        assertThat(metrics)
                .containsPattern("gen_ai_client_token_usage_count\\{" + labels + "[^}]*} [1-9]")
                .containsPattern("gen_ai_client_token_usage_sum\\{[^}]*gen_ai_token_type=\"output\"[^}]*"
                        + "tenant=\"playground\"[^}]*} [1-9]")
                .containsPattern("gen_ai_server_request_duration_seconds_bucket\\{" + labels)
                .containsPattern("gen_ai_server_time_to_first_token_seconds_count\\{" + labels + "[^}]*} [1-9]")
                .containsPattern("gen_ai_server_time_per_output_token_seconds_count\\{" + labels + "[^}]*} [1-9]")
                .containsPattern("warden_guard_decisions_total\\{[^}]*action=\"allow\"[^}]*category=\"none\""
                        + "[^}]*direction=\"input\"[^}]*tenant=\"playground\"")
                .containsPattern("warden_engine_slots\\{[^}]*model=\"tiny-llama\"[^}]*} 1")
                .containsPattern("warden_engine_queue\\{[^}]*model=\"test-model\"")
                .containsPattern(
                        "warden_engine_breaker_state\\{[^}]*model=\"test-model\"[^}]*state=\"closed\"[^}]*} 1");
    }
}
