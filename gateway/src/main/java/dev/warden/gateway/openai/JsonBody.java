package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed, validating reads of an OpenAI request body. Every failure is an {@link ApiException} naming the parameter,
 * so a client learns exactly what to fix.
 */
public final class JsonBody {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectNode root;

    private JsonBody(ObjectNode root) {
        this.root = root;
    }

    public static JsonBody parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw ApiErrors.invalidRequest("the request body is empty; send a JSON object", null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiErrors.invalidJson(e);
        }
        if (node == null || !node.isObject()) {
            throw ApiErrors.invalidRequest("the request body must be a JSON object", null);
        }
        return new JsonBody((ObjectNode) node);
    }

    public ObjectNode root() {
        return root;
    }

    public String requiredString(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw ApiErrors.missingParameter(field);
        }
        if (!n.isString()) {
            throw ApiErrors.wrongType(field, "a string");
        }
        return n.stringValue();
    }

    public boolean bool(String field, boolean fallback) {
        return bool(root, field, fallback, field);
    }

    static boolean bool(JsonNode parent, String field, boolean fallback, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw ApiErrors.wrongType(param, "a boolean");
        }
        return n.booleanValue();
    }

    public Double number(String field, double min, double max) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw ApiErrors.wrongType(field, "a number");
        }
        double v = n.doubleValue();
        if (v < min || v > max || Double.isNaN(v)) {
            throw ApiErrors.invalidRequest("'" + field + "' must be between " + min + " and " + max, field);
        }
        return v;
    }

    public Integer integer(String field, int min, int max) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiErrors.wrongType(field, "an integer");
        }
        int v = n.intValue();
        if (v < min || v > max) {
            throw ApiErrors.invalidRequest("'" + field + "' must be between " + min + " and " + max, field);
        }
        return v;
    }

    public Long longInteger(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiErrors.wrongType(field, "an integer");
        }
        return n.longValue();
    }

    /** OpenAI's {@code stop}: a string or an array of up to four strings. */
    public List<String> stop() {
        JsonNode n = root.get("stop");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (n.isString()) {
            return List.of(n.stringValue());
        }
        if (!n.isArray()) {
            throw ApiErrors.wrongType("stop", "a string or an array of strings");
        }
        if (n.size() > 4) {
            throw ApiErrors.invalidRequest("'stop' takes at most 4 sequences", "stop");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : n) {
            if (!s.isString()) {
                throw ApiErrors.wrongType("stop", "a string or an array of strings");
            }
            out.add(s.stringValue());
        }
        return out;
    }

    public JsonNode get(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }
}
