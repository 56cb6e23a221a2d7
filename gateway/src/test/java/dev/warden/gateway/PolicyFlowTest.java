package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Licence rules and rate limits as a client meets them through the gateway. */
class PolicyFlowTest extends GatewayTest {

    private static final String CHAT = "{\"model\": \"test-model\", \"max_tokens\": 16, \"messages\": "
            + "[{\"role\": \"user\", \"content\": \"hello\"}]}";

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    @Test
    void aTenantThatHasNotAcceptedTheLicenceGets403() {
        int before = UPSTREAM.generationRequests();

        Reply r = http.post("/v1/chat/completions", TENANTS.unlicensedKey, "application/json", CHAT);

        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("licence_not_accepted");
        assertThat(UPSTREAM.generationRequests()).isEqualTo(before);
    }

    @Test
    void trainingWithADerivativeNameNotStartingWithLlamaIsRefusedQuotingTheRule() {
        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.acmeKey,
                "application/json",
                CHAT,
                "x-warden-purpose",
                "training",
                "x-warden-derivative-model",
                "AcmeBot-8B");

        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().path("error").path("message").asString()).contains("Llama");

        UPSTREAM.enqueue(ScriptedReply.text("ok"));
        Reply allowed = http.post(
                "/v1/chat/completions",
                TENANTS.acmeKey,
                "application/json",
                CHAT,
                "x-warden-purpose",
                "training",
                "x-warden-derivative-model",
                "Llama-Acme-Support-8B");
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    }

    @Test
    void rateLimitHeadersAndA429WithRetryAfterOnceTheKeysLimitIsSpent() {
        UPSTREAM.always(ScriptedReply.text("ok"));
        try {
            Reply first = http.post("/v1/chat/completions", TENANTS.meteredKey, "application/json", CHAT);
            assertThat(first.status()).as(first.body()).isEqualTo(200);
            assertThat(first.header("x-ratelimit-limit-requests")).isEqualTo("3");
            assertThat(first.header("x-ratelimit-remaining-requests")).isEqualTo("2");
            assertThat(first.header("x-ratelimit-reset-requests")).isNotBlank();
            assertThat(first.header("x-ratelimit-limit-tokens")).isEqualTo("100000");
            assertThat(first.header("x-ratelimit-remaining-tokens")).isNotBlank();

            assertThat(http.post("/v1/chat/completions", TENANTS.meteredKey, "application/json", CHAT)
                            .status())
                    .isEqualTo(200);
            assertThat(http.post("/v1/chat/completions", TENANTS.meteredKey, "application/json", CHAT)
                            .status())
                    .isEqualTo(200);
            Reply refused = http.post("/v1/chat/completions", TENANTS.meteredKey, "application/json", CHAT);

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("rate_limit_exceeded");
            assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(1L, 60L);
            assertThat(refused.header("x-ratelimit-remaining-requests")).isEqualTo("0");
        } finally {
            UPSTREAM.always(ScriptedReply.ok());
        }
    }
}
