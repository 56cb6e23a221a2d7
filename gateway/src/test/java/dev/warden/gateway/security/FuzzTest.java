package dev.warden.gateway.security;

import static dev.warden.gateway.security.RawHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.GatewayTest;
import dev.warden.gateway.security.RawHttp.Response;
import dev.warden.inference.testing.ScriptedReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Well over a thousand malformed requests against the real server: broken and truncated JSON, wrong types in
 * every field, huge fields, bad and conflicting headers, bad content types, truncated bodies, bad request lines,
 * methods and paths. Each must end in an answer below 500 or a closed connection, within a bound; none may hang
 * or get a 5xx. The counts are printed (the report of issue 16 quotes them).
 */
class FuzzTest extends GatewayTest {

    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String VALID = "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", "
            + "\"content\": \"hi\"}], \"max_tokens\": 5}";

    /** A request as bytes, and whether to half-close after sending it (a body cut short by the client). */
    private record Case(String name, byte[] bytes, boolean halfClose) {}

    @Test
    void malformedRequestsNeverGetA5xxOrNoAnswer() {
        UPSTREAM.always(ScriptedReply.text("ok"));
        List<Case> cases = cases();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (Case c : cases) {
            Response r = send(c);
            String kind = r.status() == -1 ? "hang" : r.status() == 0 ? "closed" : (r.status() / 100) + "xx";
            counts.merge(kind, 1, Integer::sum);
            if (r.status() == -1 || r.status() >= 500) {
                bad.add(c.name() + ": " + r);
            }
        }
        System.out.println("FUZZ " + cases.size() + " malformed requests: " + counts);

        assertThat(cases).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(bad).as("requests with a 5xx or no answer").isEmpty();
        // And the gateway still serves.
        assertThat(send(new Case(
                                "valid",
                                bytes(request(
                                        "POST",
                                        "/v1/chat/completions",
                                        VALID,
                                        "Authorization: Bearer " + TENANTS.localKey,
                                        "Content-Type: application/json")),
                                false))
                        .status())
                .isEqualTo(200);
    }

    private Response send(Case c) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) BOUND.toMillis());
            try {
                socket.getOutputStream().write(c.bytes());
                socket.getOutputStream().flush();
                if (c.halfClose()) {
                    socket.shutdownOutput();
                }
            } catch (IOException refusedEarly) {
                // the server may answer and close before taking all of it; the answer tells
            }
            return RawHttp.read(socket, c.name().contains("HEAD "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Case> cases() {
        String key = "Authorization: Bearer " + TENANTS.localKey;
        String json = "Content-Type: application/json";
        List<Case> cases = new ArrayList<>();
        Random random = new Random(16);
        String[] routes = {"/v1/chat/completions", "/v1/completions", "/v1/moderations", "/v1/safety/run-shield"};

        // Bad JSON: a valid body cut at every length, and random bytes.
        for (int cut = 0; cut < VALID.length(); cut++) {
            cases.add(
                    post("truncated JSON at " + cut, routes[cut % routes.length], VALID.substring(0, cut), key, json));
        }
        for (int i = 0; i < 100; i++) {
            byte[] noise = new byte[1 + random.nextInt(300)];
            random.nextBytes(noise);
            cases.add(new Case(
                    "random bytes " + i,
                    concat(
                            bytes("POST " + routes[i % routes.length]
                                    + " HTTP/1.1\r\nHost: x\r\n" + key + "\r\n" + json + "\r\nContent-Length: "
                                    + noise.length
                                    + "\r\n\r\n"),
                            noise),
                    false));
        }
        // Wrong types and values in every field.
        String[] fields = {
            "model",
            "messages",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stream",
            "stream_options",
            "stop",
            "n",
            "seed",
            "logprobs",
            "top_logprobs",
            "tools",
            "tool_choice",
            "user",
            "response_format",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "prompt",
            "input",
            "shield_id",
            "messages[0]",
            "messages[0].content",
            "messages[0].role",
            "messages[0].name"
        };
        String[] values = {
            "null",
            "true",
            "-1",
            "0",
            "1e308",
            "-1e308",
            "99999999999999999999999",
            "1.5",
            "\"\"",
            "\"x\"",
            "[]",
            "[null]",
            "{}",
            "[[[]]]",
            "{\"a\":{\"b\":[1]}}",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "[1,2,3]",
            "NaN",
            "\"" + "z".repeat(3000) + "\""
        };
        for (String field : fields) {
            for (String value : values) {
                cases.add(post(
                        "field " + field + " = " + value.substring(0, Math.min(20, value.length())),
                        routes[(field.length() + value.length()) % routes.length],
                        withField(field, value),
                        key,
                        json));
            }
        }
        // Huge fields and structures.
        cases.add(post(
                "huge content",
                routes[0],
                withField("messages[0].content", "\"" + "a".repeat(60_000) + "\""),
                key,
                json));
        cases.add(post("huge model name", routes[0], withField("model", "\"" + "m".repeat(50_000) + "\""), key, json));
        cases.add(post("body over the limit", routes[0], "{\"x\":\"" + "b".repeat(70_000) + "\"}", key, json));
        cases.add(post(
                "many messages",
                routes[0],
                "{\"model\":\"" + MODEL + "\",\"messages\":[" + "{\"role\":\"user\",\"content\":\"x\"},".repeat(3000)
                        + "{\"role\":\"user\",\"content\":\"x\"}]}",
                key,
                json));
        cases.add(post("deep nesting", routes[0], "[".repeat(5000) + "]".repeat(5000), key, json));
        cases.add(post("many keys", routes[0], "{" + "\"k\":1,".repeat(8000) + "\"k\":2}", key, json));
        // Bad content types.
        String[] types = {
            "Content-Type: json",
            "Content-Type: ",
            "Content-Type: application/xml",
            "Content-Type: text/plain",
            "Content-Type: application/json; charset=utf-9",
            "Content-Type: multipart/form-data; boundary=x",
            "Content-Type: application/json;;",
            "Content-Type: */*",
            "Content-Type: application/",
            "Content-Type: /json",
            "Content-Type: application/json, text/plain",
            "Content-Type: \u00e9/\u00e9",
            "Content-Type: application/x-www-form-urlencoded",
            "Content-Type: application/json; q=\"",
            "Content-Type: application/json\r\nContent-Type: text/plain"
        };
        for (String type : types) {
            for (String route : routes) {
                cases.add(post("content type " + type, route, VALID, key, type));
            }
            cases.add(post("no content type", routes[0], VALID, key));
        }
        // Bad and conflicting headers.
        String[][] headerSets = {
            {key, json, "Content-Length: -1"},
            {key, json, "Content-Length: abc"},
            {key, json, "Content-Length: 5", "Content-Length: 6"},
            {key, json, "Content-Length: 99999999999999999999"},
            {key, json, "Transfer-Encoding: chunked", "Content-Length: 10"},
            {key, json, "Transfer-Encoding: gzip"},
            {key, json, "Transfer-Encoding: chunked, identity"},
            {key, json, "Expect: 100-continue"},
            {key, json, "Expect: 999-nonsense"},
            {key, json, "Content-Encoding: gzip"},
            {key, json, "Accept: text/html"},
            {key, json, "Accept: application/xml"},
            {key, json, "Authorization: Bearer \u00ff\u00fe"},
            {"Authorization: Bearer " + "k".repeat(5000), json},
            {key, json, "X-Long: " + "h".repeat(9000)},
            {key, json, "NoColonHeader"},
            {key, json, " Folded: header"},
            {key, json, "x-request-id: " + "r".repeat(500)},
            {key, json, "x-request-id: \"quoted\""},
            {key, json, "x-warden-purpose: " + "p".repeat(300)},
            {key, json, "x-warden-purpose: training"},
            {key, json, "x-warden-derivative-model: \u0000"},
            {key, json, "Host: "},
            {key, json, "Connection: Upgrade", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"},
            {key, json, "Upgrade: websocket", "Connection: Upgrade"},
        };
        for (int i = 0; i < headerSets.length; i++) {
            for (String route : routes) {
                cases.add(post("header set " + i, route, VALID, headerSets[i]));
            }
        }
        // Bad chunked bodies.
        String[] chunked = {
            "zz\r\nabc\r\n0\r\n\r\n",
            "5\r\nab\r\n0\r\n\r\n",
            "ffffffffffffffff\r\nab\r\n",
            "3\r\nabc\r\n",
            "0\r\nTrailer: x\r\n\r\n",
            "-1\r\n\r\n",
            "3;ext=\"\r\nabc\r\n0\r\n\r\n"
        };
        for (String body : chunked) {
            for (String route : routes) {
                cases.add(new Case(
                        "chunked " + body.trim(),
                        bytes("POST " + route + " HTTP/1.1\r\nHost: x\r\n" + key + "\r\n" + json
                                + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body),
                        true));
            }
        }
        // Bodies cut short by the client: announced longer than sent, then the client stops sending.
        for (int i = 0; i < 40; i++) {
            String part = VALID.substring(0, random.nextInt(VALID.length()));
            cases.add(new Case(
                    "cut body " + i,
                    bytes("POST " + routes[i % routes.length] + " HTTP/1.1\r\nHost: x\r\n" + key + "\r\n" + json
                            + "\r\nContent-Length: " + (VALID.length() + 50) + "\r\n\r\n" + part),
                    true));
        }
        // Bad request lines and methods.
        String[] lines = {
            "GET /v1/models HTTP/9.9",
            "GET /v1/models",
            "GET",
            "/v1/models HTTP/1.1",
            "GET  /v1/models HTTP/1.1",
            "GET /v1/models HTTP/1.1 extra",
            "G\u0000T /v1/models HTTP/1.1",
            "get /v1/models HTTP/1.1",
            "FOO /v1/models HTTP/1.1",
            "PUT /v1/chat/completions HTTP/1.1",
            "DELETE /v1/models HTTP/1.1",
            "PATCH /v1/models HTTP/1.1",
            "OPTIONS * HTTP/1.1",
            "TRACE /v1/models HTTP/1.1",
            "CONNECT 127.0.0.1:80 HTTP/1.1",
            "HEAD /v1/models HTTP/1.1",
            "GET /v1/models?" + "q".repeat(5000) + " HTTP/1.1",
            "GET /" + "p".repeat(5000) + " HTTP/1.1",
            "GET /v1/models?a=%zz HTTP/1.1",
            "GET /v1/mod%zzels HTTP/1.1",
            "GET /v1/models#frag HTTP/1.1",
            "GET http://evil.example/v1/models HTTP/1.1",
            "GET //evil.example/v1/models HTTP/1.1",
            "PRI * HTTP/2.0",
            "GET /v1/models HTTP/1.0",
            "GET /\u00e9 HTTP/1.1",
            "GET /v1/models?\u0001 HTTP/1.1"
        };
        for (String line : lines) {
            cases.add(new Case(
                    "request line " + line.substring(0, Math.min(40, line.length())),
                    bytes(line + "\r\nHost: x\r\n" + key + "\r\n\r\n"),
                    false));
            cases.add(new Case(
                    "request line, no key " + line.substring(0, Math.min(40, line.length())),
                    bytes(line + "\r\nHost: x\r\n\r\n"),
                    false));
        }
        // Bad paths, with and without a key.
        for (String route :
                new String[] {"/v1/chat/completions", "/v1/models", "/admin/tenants", "/actuator/prometheus"}) {
            for (String target : AccessProbe.variants(route).values()) {
                String method = route.equals("/v1/chat/completions") ? "POST" : "GET";
                String body = method.equals("POST") ? VALID : null;
                cases.add(new Case("path " + target, bytes(request(method, target, body, key, json)), false));
                cases.add(new Case("path, no key " + target, bytes(request(method, target, body, json)), false));
            }
        }
        // Garbage that is not HTTP at all.
        for (int i = 0; i < 30; i++) {
            byte[] noise = new byte[1 + random.nextInt(200)];
            random.nextBytes(noise);
            cases.add(new Case("not HTTP " + i, noise, true));
        }
        return cases;
    }

    private static Case post(String name, String route, String body, String... headers) {
        return new Case(name, bytes(request("POST", route, body, headers)), false);
    }

    /** The valid body with one field (or messages[0], or one of its fields) replaced by {@code value}. */
    private static String withField(String field, String value) {
        String message = "{\"role\": \"user\", \"content\": \"hi\"}";
        String model = "\"" + MODEL + "\"";
        String messages = "[" + message + "]";
        String extra = "";
        switch (field) {
            case "model" -> model = value;
            case "messages" -> messages = value;
            case "messages[0]" -> messages = "[" + value + "]";
            case "messages[0].content" -> messages = "[{\"role\": \"user\", \"content\": " + value + "}]";
            case "messages[0].role" -> messages = "[{\"role\": " + value + ", \"content\": \"hi\"}]";
            case "messages[0].name" ->
                messages = "[{\"role\": \"user\", \"content\": \"hi\", \"name\": " + value + "}]";
            default -> extra = ", \"" + field + "\": " + value;
        }
        return "{\"model\": " + model + ", \"messages\": " + messages + ", \"prompt\": \"hi\", \"input\": \"hi\""
                + extra + "}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
