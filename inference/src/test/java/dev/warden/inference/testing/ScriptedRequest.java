package dev.warden.inference.testing;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request the scripted upstream received, for assertions. Header names are lower-case; a repeated header
 * keeps its last value.
 */
public record ScriptedRequest(String method, String path, Map<String, String> headers, String body) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ScriptedRequest {
        headers = Map.copyOf(headers);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The body parsed as JSON; a missing node when the body is empty. */
    public JsonNode json() {
        return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
    }
}
