package dev.warden.gateway.flow;

import dev.warden.guard.GuardInput;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.ChatRequest;
import dev.warden.inference.CompletionRequest;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceEngine;
import dev.warden.inference.Role;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.ToolCall;
import dev.warden.inference.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat or a text completion request, seen the same way by every stage: the conversation the guards judge,
 * and how to run it on an engine. Exactly one of {@code chat} and {@code completion} is set.
 */
public record GenerationCall(ChatRequest chat, CompletionRequest completion) {

    public static GenerationCall of(ChatRequest chat) {
        return new GenerationCall(chat, null);
    }

    public static GenerationCall of(CompletionRequest completion) {
        return new GenerationCall(null, completion);
    }

    public boolean isChat() {
        return chat != null;
    }

    public String model() {
        return isChat() ? chat.model() : completion.model();
    }

    public boolean stream() {
        return isChat() ? chat.stream() : completion.stream();
    }

    public boolean includeUsage() {
        return isChat() ? chat.includeUsage() : completion.includeUsage();
    }

    public Integer maxTokens() {
        return isChat() ? chat.params().maxTokens() : completion.params().maxTokens();
    }

    public int choices() {
        return isChat() ? chat.params().n() : completion.params().n();
    }

    /** What the input guard judges; a text prompt counts as one user turn. */
    public List<ChatMessage> conversation() {
        return isChat() ? chat.messages() : List.of(ChatMessage.of(Role.USER, completion.prompt()));
    }

    /**
     * What the input guard judges: the conversation, and every other text of the request the model will see (tool
     * definitions, a response format's schema) as attachments. The body sent upstream holds nothing else: it is
     * written from these same parsed fields.
     */
    public GuardInput guardInput() {
        return GuardInput.prompt(conversation(), attachments());
    }

    /**
     * Each text a tool definition or a response schema carries, as its own turn: a sentence in a description is
     * judged as a sentence, not diluted by the JSON around it. The schema as a whole is judged too.
     */
    private List<ChatMessage> attachments() {
        JsonNode format = !isChat() || chat.body() == null ? null : chat.body().get("response_format");
        boolean schema = format != null && format.get("json_schema") != null;
        if (!isChat() || chat.tools().isEmpty() && !schema) {
            return List.of(); // the common case, on every request: nothing to collect
        }
        List<String> texts = new ArrayList<>();
        for (ToolDefinition tool : chat.tools()) {
            texts.add(tool.name());
            texts.add(tool.description());
            schemaTexts(JSON.readTree(tool.parametersJson()), texts);
        }
        if (schema) {
            schemaTexts(format.get("json_schema"), texts);
        }
        return texts.stream()
                .filter(t -> t != null && !t.isBlank())
                .distinct()
                .map(t -> ChatMessage.of(Role.USER, t))
                .toList();
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The schema's JSON, its property names as one line, and every string value in it. */
    private static void schemaTexts(JsonNode schema, List<String> texts) {
        if (schema == null || schema.isEmpty()) {
            return;
        }
        texts.add(schema.toString());
        List<String> names = new ArrayList<>();
        collect(schema, texts, names);
        texts.add(String.join(" ", names));
    }

    private static void collect(JsonNode node, List<String> texts, List<String> names) {
        if (node.isString()) {
            texts.add(node.stringValue());
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, texts, names));
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                names.add(entry.getKey());
                collect(entry.getValue(), texts, names);
            }
        }
    }

    /** Characters of client text the input guard has to judge: what its per-request budget is measured in. */
    public long judgedChars() {
        long chars = 0;
        for (ChatMessage m : conversation()) {
            chars += m.content().length()
                    + (m.name() == null ? 0 : m.name().length())
                    + (m.toolCallId() == null ? 0 : m.toolCallId().length());
            for (ToolCall call : m.toolCalls()) {
                chars += call.name().length() + call.argumentsJson().length();
            }
        }
        for (ChatMessage a : attachments()) {
            chars += a.content().length();
        }
        return chars;
    }

    /** The same call with every message's text rewritten, e.g. redacted. */
    public GenerationCall mapText(UnaryOperator<String> rewrite) {
        if (isChat()) {
            List<ChatMessage> messages = chat.messages().stream()
                    .map(m -> new ChatMessage(
                            m.role(), rewrite.apply(m.content()), m.name(), m.toolCalls(), m.toolCallId()))
                    .toList();
            return of(new ChatRequest(
                    chat.model(),
                    messages,
                    chat.tools(),
                    chat.toolChoice(),
                    chat.params(),
                    chat.stream(),
                    chat.includeUsage(),
                    rewrittenChatBody(messages)));
        }
        String prompt = rewrite.apply(completion.prompt());
        var body = completion.body().deepCopy();
        body.put("prompt", prompt);
        return of(new CompletionRequest(
                completion.model(), prompt, completion.params(), completion.stream(), completion.includeUsage(), body));
    }

    /** A remote engine forwards the body, so a rewrite must reach the body too, not only the parsed messages. */
    private tools.jackson.databind.node.ObjectNode rewrittenChatBody(List<ChatMessage> messages) {
        var body = chat.body().deepCopy();
        var array = body.withArray("messages");
        for (int i = 0; i < messages.size() && i < array.size(); i++) {
            var node = array.get(i);
            if (node.isObject()) {
                ((tools.jackson.databind.node.ObjectNode) node)
                        .put("content", messages.get(i).content());
            }
        }
        return body;
    }

    public Mono<Generation> generate(InferenceEngine engine) {
        return isChat() ? engine.chat(chat) : engine.complete(completion);
    }

    public Flux<StreamChunk> streamOn(InferenceEngine engine) {
        return isChat() ? engine.streamChat(chat) : engine.streamCompletion(completion);
    }

    /** Prompt text for fingerprints and (when the tenant asks) the audit record. */
    public String promptText() {
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : conversation()) {
            text.append(m.role().wire()).append(": ").append(m.content()).append('\n');
        }
        return text.toString();
    }

    /** Rough prompt tokens for the rate limiter's reservation; settled later from the engine's real count. */
    public long estimatedPromptTokens() {
        return estimatedTokens(conversation().stream().map(ChatMessage::content).toList());
    }

    /**
     * Rough tokens of texts sent as separate messages or inputs (a token per three characters, plus framing), the
     * one estimate every metered endpoint reserves with.
     */
    public static long estimatedTokens(List<String> texts) {
        long chars = 0;
        for (String text : texts) {
            chars += text.length() + 16;
        }
        return chars / 3 + 8;
    }
}
