package dev.warden.gateway.models;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which request fields each kind of OpenAI-compatible server accepts, and what happens to the others. The gateway
 * writes the forwarded body from the fields it knows (never the client's JSON as sent); this narrows that body to
 * what the model's server ({@code warden.models[*].remote.server}) takes:
 * <ul>
 * <li>a field the server does not take and whose absence changes nothing the client relies on is dropped
 * (e.g. {@code parallel_tool_calls} where tool calls are sequential anyway);</li>
 * <li>a field that would change the answer (more choices, log probabilities, a forced tool, a bias, a schema) is
 * refused with a 400 naming it, so a client never believes it took effect;</li>
 * <li>{@code max_completion_tokens} becomes {@code max_tokens} for servers that only know the older name.</li>
 * </ul>
 * The table is in docs/API.md ("Engine kinds").
 */
public enum EngineFields {

    /** OpenAI itself or any server that takes OpenAI's whole chat surface: everything is forwarded. */
    OPENAI("openai", Set.of(), Set.of(), false),
    /** vLLM's OpenAI-compatible server takes every field this gateway forwards. */
    VLLM("vllm", Set.of(), Set.of(), false),
    /** llama.cpp's llama-server: one choice per request. */
    LLAMA_CPP_SERVER("llama-cpp-server", Set.of(), Set.of("n"), true),
    /** Ollama's /v1 endpoint: no forced tool, bias, log probabilities or extra choices. */
    OLLAMA(
            "ollama",
            Set.of("parallel_tool_calls"),
            Set.of("n", "logit_bias", "logprobs", "top_logprobs", "tool_choice"),
            true),
    /** Hugging Face TGI's Messages API: no OpenAI-shaped bias or response format, one choice. */
    TGI("tgi", Set.of("parallel_tool_calls"), Set.of("n", "logit_bias", "response_format"), true);

    /** The value of a refusable field that asks for nothing beyond the default, and so is dropped instead. */
    private static final Map<String, List<String>> HARMLESS = Map.of(
            "n",
            List.of("1"),
            "logprobs",
            List.of("false"),
            "tool_choice",
            List.of("\"auto\""),
            "response_format",
            List.of("{\"type\":\"text\"}"));

    private final String wire;
    private final Set<String> dropped;
    private final Set<String> refused;
    private final boolean oldMaxTokens;

    EngineFields(String wire, Set<String> dropped, Set<String> refused, boolean oldMaxTokens) {
        this.wire = wire;
        this.dropped = dropped;
        this.refused = refused;
        this.oldMaxTokens = oldMaxTokens;
    }

    public String wire() {
        return wire;
    }

    public static EngineFields parse(String value, String model) {
        if (value == null || value.isBlank()) {
            return OPENAI;
        }
        for (EngineFields kind : values()) {
            if (kind.wire.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("warden.models: model '" + model + "' has remote.server '" + value
                + "'; use openai, vllm, llama-cpp-server, ollama or tgi");
    }

    /** The first field of {@code body} this server refuses (with a value beyond the default), or null. */
    public String refusedField(ObjectNode body) {
        for (String field : refused) {
            JsonNode value = body.get(field);
            if (value != null
                    && !value.isNull()
                    && !HARMLESS.getOrDefault(field, List.of()).contains(value.toString())) {
                return field;
            }
        }
        return null;
    }

    /** {@code body} narrowed in place to what this server takes; call after {@link #refusedField} found none. */
    public ObjectNode shape(ObjectNode body) {
        for (String field : dropped) {
            body.remove(field);
        }
        for (String field : refused) {
            body.remove(field);
        }
        if (oldMaxTokens && body.has("max_completion_tokens")) {
            JsonNode max = body.remove("max_completion_tokens");
            if (!body.has("max_tokens")) {
                body.set("max_tokens", max);
            }
        }
        return body;
    }
}
