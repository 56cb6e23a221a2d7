package dev.warden.gateway.openai;

import dev.warden.gateway.api.ApiException;
import dev.warden.gateway.api.OpenAiErrors;
import dev.warden.inference.Choice;
import dev.warden.inference.Generation;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's response shapes: {@code chat.completion}, {@code text_completion} and their streamed chunks.
 * {@code kind} decides chat versus text; everything else is shared so the two cannot drift apart.
 */
public final class OpenAiResponses {

    public enum Kind {
        CHAT("chat.completion", "chat.completion.chunk"),
        TEXT("text_completion", "text_completion");

        final String object;
        final String chunkObject;

        Kind(String object, String chunkObject) {
            this.object = object;
            this.chunkObject = chunkObject;
        }
    }

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Kind kind;
    private List<String> filteredCategories = List.of();
    private String filterRule;
    private final String id;
    private final long created;
    private final String model;

    public OpenAiResponses(Kind kind, String id, long created, String model) {
        this.kind = kind;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    public ObjectNode completion(Generation generation) {
        ObjectNode root = header(kind.object);
        ArrayNode choices = root.putArray("choices");
        for (Choice c : generation.choices()) {
            ObjectNode choice = choices.addObject();
            choice.put("index", c.index());
            if (kind == Kind.CHAT) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                if (c.finishReason() == dev.warden.inference.FinishReason.CONTENT_FILTER) {
                    message.putNull("content");
                    message.put("refusal", "The response was withheld by the gateway's content filter.");
                } else if (c.toolCalls().isEmpty()) {
                    message.put("content", c.text());
                } else {
                    message.putNull("content");
                    toolCalls(message.putArray("tool_calls"), c.toolCalls(), false);
                }
                if (!message.has("refusal")) {
                    message.putNull("refusal");
                }
            } else {
                choice.put("text", c.text());
            }
            logprobs(choice, c.logprobs());
            choice.put(
                    "finish_reason",
                    c.finishReason() == null ? "stop" : c.finishReason().wire());
            filterResults(choice, c.finishReason());
        }
        usage(root, generation.usage());
        return root;
    }

    /** Why content was filtered: rendered beside every choice that ends with {@code content_filter}. */
    public OpenAiResponses contentFilter(List<String> categories, String rule) {
        this.filteredCategories = List.copyOf(categories);
        this.filterRule = rule;
        return this;
    }

    private void filterResults(ObjectNode choice, dev.warden.inference.FinishReason finish) {
        if (finish != dev.warden.inference.FinishReason.CONTENT_FILTER) {
            return;
        }
        ObjectNode results = choice.putObject("content_filter_results");
        ArrayNode categories = results.putArray("categories");
        filteredCategories.forEach(categories::add);
        if (filterRule != null) {
            results.put("rule", filterRule);
        }
    }

    public byte[] completionBytes(Generation generation) {
        return JsonBody.JSON.writeValueAsBytes(completion(generation));
    }

    /** The first chunk of a chat stream announces the assistant role, as OpenAI does. */
    public byte[] roleChunk(int index) {
        ObjectNode root = header(kind.chunkObject);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return event(root);
    }

    public byte[] chunk(StreamChunk chunk, boolean includeUsageField) {
        ObjectNode root = header(kind.chunkObject);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", chunk.index());
        if (kind == Kind.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (!chunk.text().isEmpty() || chunk.toolCalls().isEmpty()) {
                delta.put("content", chunk.text());
            }
            if (!chunk.toolCalls().isEmpty()) {
                toolCalls(delta.putArray("tool_calls"), chunk.toolCalls(), true);
            }
        } else {
            choice.put("text", chunk.text());
        }
        logprobs(choice, chunk.logprobs());
        if (chunk.finishReason() == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", chunk.finishReason().wire());
            filterResults(choice, chunk.finishReason());
        }
        if (includeUsageField) {
            root.putNull("usage");
        }
        return event(root);
    }

    /** The usage chunk OpenAI sends last when {@code stream_options.include_usage} is set: no choices. */
    public byte[] usageChunk(Usage usage) {
        ObjectNode root = header(kind.chunkObject);
        root.putArray("choices");
        usage(root, usage);
        return event(root);
    }

    /** A failure after the stream started: the client sees an error event instead of a silent truncation. */
    public static byte[] errorEvent(ApiException e) {
        return event(OpenAiErrors.body(e));
    }

    public static byte[] done() {
        return DONE;
    }

    private ObjectNode header(String object) {
        ObjectNode root = JsonBody.JSON.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    private static void usage(ObjectNode root, Usage usage) {
        if (usage == null) {
            return;
        }
        ObjectNode u = root.putObject("usage");
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("total_tokens", usage.totalTokens());
    }

    private static void toolCalls(ArrayNode out, List<ToolCall> calls, boolean indexed) {
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            ObjectNode node = out.addObject();
            if (indexed) {
                node.put("index", i);
            }
            node.put("id", call.id());
            node.put("type", "function");
            ObjectNode fn = node.putObject("function");
            fn.put("name", call.name());
            fn.put("arguments", call.argumentsJson());
        }
    }

    private void logprobs(ObjectNode choice, List<TokenLogprob> logprobs) {
        if (logprobs == null) {
            choice.putNull("logprobs");
            return;
        }
        ObjectNode lp = choice.putObject("logprobs");
        if (kind == Kind.CHAT) {
            ArrayNode content = lp.putArray("content");
            for (TokenLogprob t : logprobs) {
                ObjectNode entry = content.addObject();
                entry.put("token", t.token());
                entry.put("logprob", t.logprob());
                entry.putNull("bytes");
                ArrayNode top = entry.putArray("top_logprobs");
                for (TokenLogprob.Alternative a : t.top()) {
                    ObjectNode alt = top.addObject();
                    alt.put("token", a.token());
                    alt.put("logprob", a.logprob());
                    alt.putNull("bytes");
                }
            }
        } else {
            ArrayNode tokens = lp.putArray("tokens");
            ArrayNode tokenLogprobs = lp.putArray("token_logprobs");
            ArrayNode top = lp.putArray("top_logprobs");
            for (TokenLogprob t : logprobs) {
                tokens.add(t.token());
                tokenLogprobs.add(t.logprob());
                ObjectNode alts = top.addObject();
                for (TokenLogprob.Alternative a : t.top()) {
                    alts.put(a.token(), a.logprob());
                }
            }
        }
    }

    private static byte[] event(ObjectNode node) {
        byte[] json = JsonBody.JSON.writeValueAsBytes(node);
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }
}
