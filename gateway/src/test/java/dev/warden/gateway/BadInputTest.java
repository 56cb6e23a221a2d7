package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.inference.testing.ScriptedReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Every kind of bad input gets its documented 4xx in OpenAI's error shape, and the gateway keeps serving. */
@ExtendWith(OutputCaptureExtension.class)
class BadInputTest extends GatewayTest {

    private static final String JSON = "application/json";
    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    private Reply chat(String body) {
        return http.post("/v1/chat/completions", TENANTS.localKey, JSON, body);
    }

    private static void assertOpenAiError(Reply r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.json().path("error").path("message").asString()).isNotBlank();
        assertThat(r.json().path("error").has("type")).isTrue();
        assertThat(r.json().path("error").has("param")).isTrue();
        assertThat(r.errorCode()).isEqualTo(code);
        assertThat(r.header("x-request-id")).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON            | {"model": "test-model", "messages": [            | invalid_value               |
            not an object             | [1, 2, 3]                                        | invalid_value               |
            empty body                |                                                  | invalid_value               |
            missing model             | {"messages": [{"role": "user", "content": "hi"}]} | missing_required_parameter | model
            model not a string        | {"model": 7, "messages": [{"role": "user", "content": "hi"}]} | invalid_type | model
            missing messages          | {"model": "test-model"}                          | missing_required_parameter  | messages
            messages not an array     | {"model": "test-model", "messages": "hi"}        | invalid_type                | messages
            empty messages            | {"model": "test-model", "messages": []}          | invalid_value               | messages
            unknown role              | {"model": "test-model", "messages": [{"role": "wizard", "content": "hi"}]} | invalid_value | messages[0].role
            content of wrong type     | {"model": "test-model", "messages": [{"role": "user", "content": 5}]} | invalid_type | messages[0].content
            temperature of wrong type | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "temperature": "hot"} | invalid_type | temperature
            temperature out of range  | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "temperature": 5} | invalid_value | temperature
            max_tokens not an integer | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1.5} | invalid_type | max_tokens
            stream not a boolean      | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "stream": "yes"} | invalid_type | stream
            stream_options unstreamed | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "stream_options": {"include_usage": true}} | invalid_value | stream_options
            too many stops            | {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], "stop": ["a","b","c","d","e"]} | invalid_value | stop
            """)
    void malformedRequestsGet400(String name, String body, String code, String param) {
        Reply r = chat(body == null ? "" : body);

        assertOpenAiError(r, 400, code);
        if (param != null) {
            assertThat(r.json().path("error").path("param").asString()).isEqualTo(param);
        }
    }

    @Test
    void unknownModelGets404() {
        Reply r = chat("{\"model\": \"gpt-9\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

        assertOpenAiError(r, 404, "model_not_found");
        assertThat(r.json().path("error").path("message").asString())
                .contains("gpt-9")
                .contains(MODEL);
    }

    @Test
    void oversizedBodyGets413WithAndWithoutContentLength() {
        String big = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + "x".repeat(70 * 1024) + "\"}]}";

        assertOpenAiError(chat(big), 413, "request_too_large");
    }

    @Test
    void wrongContentTypeGets415() {
        Reply r = http.post(
                "/v1/chat/completions",
                TENANTS.localKey,
                "text/plain",
                "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

        assertOpenAiError(r, 415, "unsupported_media_type");
        assertOpenAiError(
                http.post("/v1/chat/completions", TENANTS.localKey, null, "{}"), 415, "unsupported_media_type");
    }

    @Test
    void missingOrWrongKeyGets401AndTheKeyIsNeverLogged(CapturedOutput output) {
        String body = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        String wrongKey = "wdn-thisIsNotAValidKeyAtAll0123456789";

        assertOpenAiError(http.post("/v1/chat/completions", null, JSON, body), 401, "missing_api_key");
        assertOpenAiError(http.post("/v1/chat/completions", wrongKey, JSON, body), 401, "invalid_api_key");
        assertOpenAiError(http.get("/v1/models", null), 401, "missing_api_key");
        assertOpenAiError(
                http.post("/v1/chat/completions", null, JSON, body, "Authorization", "Basic abc"),
                401,
                "missing_api_key");
        UPSTREAM.enqueue(ScriptedReply.text("ok"));
        assertThat(chat(body).status()).isEqualTo(200);

        assertThat(output.getAll()).doesNotContain(wrongKey).doesNotContain(TENANTS.localKey);
    }

    @Test
    void unknownPathAndWrongMethodAnswerInOpenAiShape() {
        assertOpenAiError(http.get("/v1/nope", TENANTS.localKey), 404, "not_found");
        assertOpenAiError(http.get("/v1/chat/completions", TENANTS.localKey), 405, "method_not_allowed");
    }

    @Test
    void theGatewayIssuesItsOwnRequestIdAndEchoesTheClientsBeside() {
        String body = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        UPSTREAM.enqueue(ScriptedReply.text("ok"), ScriptedReply.text("ok"));

        Reply echoed = http.post("/v1/chat/completions", TENANTS.localKey, JSON, body, "x-request-id", "abc-123");
        Reply replaced =
                http.post("/v1/chat/completions", TENANTS.localKey, JSON, body, "x-request-id", "bad id with spaces");
        Reply onError = http.post("/v1/chat/completions", null, JSON, body, "x-request-id", "err-7");

        // The client's id never becomes the request id (two tenants could then share one); it is kept beside it.
        assertThat(echoed.header("x-request-id")).startsWith("req_");
        assertThat(echoed.header("x-client-request-id")).isEqualTo("abc-123");
        assertThat(replaced.header("x-request-id")).startsWith("req_").doesNotContain(" ");
        assertThat(replaced.header("x-client-request-id")).isNull();
        assertThat(onError.header("x-request-id")).startsWith("req_");
        assertThat(onError.header("x-client-request-id")).isEqualTo("err-7");
        assertThat(http.post("/v1/chat/completions", null, JSON, body, "x-request-id", "err-7")
                        .header("x-request-id"))
                .isNotEqualTo(onError.header("x-request-id"));
    }

    @Test
    void upstreamRefusalIsPassedOnInOpenAiShape() {
        UPSTREAM.enqueue(ScriptedReply.error(400, "max_tokens is too large for this model"));
        String body = "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";

        Reply refused = chat(body);

        assertOpenAiError(refused, 400, "invalid_request");
        assertThat(refused.json().path("error").path("message").asString()).contains("max_tokens is too large");
    }
}
