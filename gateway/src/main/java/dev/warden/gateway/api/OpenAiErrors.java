package dev.warden.gateway.api;

import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Renders {@link ApiException}s as OpenAI error bodies; one place, so every error looks the same. */
public final class OpenAiErrors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAiErrors() {}

    public static ObjectNode body(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        if (e.param() == null) {
            error.putNull("param");
        } else {
            error.put("param", e.param());
        }
        if (e.code() == null) {
            error.putNull("code");
        } else {
            error.put("code", e.code());
        }
        for (Map.Entry<String, Object> field : e.extra().entrySet()) {
            error.set(field.getKey(), JSON.valueToTree(field.getValue()));
        }
        return root;
    }

    public static byte[] bytes(ApiException e) {
        return JSON.writeValueAsBytes(body(e));
    }
}
