package dev.warden.gateway.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls;
import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request fields narrowed to what the model's server kind takes: dropped when harmless, refused otherwise. */
class EngineShapingTest extends ClientsGatewayTest {

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    private static String chat(String model, String extra) {
        return "{\"model\": \"" + model + "\", " + extra + "\"messages\": [{\"role\": \"user\", \"content\": "
                + "\"hi\"}]}";
    }

    @Test
    void anOllamaModelGetsNoParallelToolCallsAndMaxTokensByItsOldName() {
        UPSTREAM.enqueue(ScriptedReply.text("hello"));

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat(OLLAMA_MODEL, "\"parallel_tool_calls\": false, \"max_completion_tokens\": 20, \"n\": 1, "));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var forwarded = UPSTREAM.lastGenerationRequest().json();
        assertThat(forwarded.has("parallel_tool_calls")).isFalse();
        assertThat(forwarded.has("max_completion_tokens")).isFalse();
        assertThat(forwarded.has("n")).isFalse();
        assertThat(forwarded.path("max_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void aFieldTheServerCannotHonourIsRefusedNamingIt() {
        int before = UPSTREAM.generationRequests();

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat(OLLAMA_MODEL, "\"logit_bias\": {\"15\": 5}, "));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("unsupported_parameter");
        assertThat(r.json().path("error").path("param").asString()).isEqualTo("logit_bias");
        assertThat(r.json().path("error").path("message").asString()).contains("ollama");
        assertThat(UPSTREAM.generationRequests()).isEqualTo(before);
    }

    @Test
    void aGenericServerGetsEveryKnownField() {
        UPSTREAM.enqueue(ScriptedReply.text("hello"));

        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "application/json",
                chat(
                        MODEL,
                        "\"parallel_tool_calls\": false, \"max_completion_tokens\": 20, \"logit_bias\": {\"15\": 5}, "));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var forwarded = UPSTREAM.lastGenerationRequest().json();
        assertThat(forwarded.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(forwarded.path("max_completion_tokens").asInt()).isEqualTo(20);
        assertThat(forwarded.has("logit_bias")).isTrue();
    }
}
