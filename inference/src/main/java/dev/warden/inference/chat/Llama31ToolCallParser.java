package dev.warden.inference.chat;

import dev.warden.inference.ToolCall;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a Llama 3.1 reply into OpenAI tool calls when it is one. Recognised forms (Meta's prompt format doc):
 * <ul>
 *   <li>JSON: {@code {"name": "fn", "parameters": {...}}}, optionally after {@code <|python_tag|>}; several
 *       calls separated by {@code ;} or whitespace; {@code "arguments"} is accepted for {@code "parameters"};</li>
 *   <li>zero-shot functions: {@code <function=fn>{...}</function>}, possibly several.</li>
 * </ul>
 * Anything else, including JSON that is not entirely tool calls, stays text. Ids are {@code call_} plus 24
 * random alphanumerics, as OpenAI's look.
 */
public final class Llama31ToolCallParser {

    /** The reply split into plain content and tool calls; {@code toolCalls} empty when it was plain text. */
    public record ParsedReply(String content, List<ToolCall> toolCalls) {

        public ParsedReply {
            toolCalls = List.copyOf(toolCalls);
        }

        public boolean hasToolCalls() {
            return !toolCalls.isEmpty();
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern FUNCTION =
            Pattern.compile("<function=([A-Za-z0-9_.\\-]+)>(.*?)</function>", Pattern.DOTALL);
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Llama31ToolCallParser() {}

    /**
     * True when a reply starting with {@code prefix} may still turn out to be a tool call: a streaming engine
     * holds such text back until the reply is complete.
     */
    public static boolean mayBeToolCall(String prefix) {
        String s = stripTag(prefix.stripLeading());
        if (s.isEmpty()) {
            return true;
        }
        return s.startsWith("{") || s.startsWith("<function=") || "<function=".startsWith(s);
    }

    public static ParsedReply parse(String reply) {
        String s = stripTag(reply.strip()).strip();
        List<ToolCall> calls = s.startsWith("<function=") ? functionTags(s) : jsonCalls(s);
        return calls.isEmpty() ? new ParsedReply(reply, List.of()) : new ParsedReply("", calls);
    }

    public static String newCallId() {
        StringBuilder b = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return b.toString();
    }

    private static String stripTag(String s) {
        return s.startsWith(Llama31ChatFormat.PYTHON_TAG) ? s.substring(Llama31ChatFormat.PYTHON_TAG.length()) : s;
    }

    private static List<ToolCall> functionTags(String s) {
        List<ToolCall> calls = new ArrayList<>();
        Matcher m = FUNCTION.matcher(s);
        int end = 0;
        while (m.find()) {
            if (!s.substring(end, m.start()).isBlank()) {
                return List.of();
            }
            JsonNode args = readObject(m.group(2).strip());
            if (args == null) {
                return List.of();
            }
            calls.add(new ToolCall(newCallId(), m.group(1), JSON.writeValueAsString(args)));
            end = m.end();
        }
        return s.substring(end).isBlank() ? calls : List.of();
    }

    private static List<ToolCall> jsonCalls(String s) {
        List<ToolCall> calls = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ';' && !calls.isEmpty()) {
                i++;
                continue;
            }
            int end = c == '{' ? closingBrace(s, i) : -1;
            JsonNode node = end < 0 ? null : readObject(s.substring(i, end + 1));
            ToolCall call = node == null ? null : toCall(node);
            if (call == null) {
                return List.of();
            }
            calls.add(call);
            i = end + 1;
        }
        return calls;
    }

    /** The index of the brace closing the object that opens at {@code start}, skipping strings; -1 if none. */
    private static int closingBrace(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static ToolCall toCall(JsonNode node) {
        JsonNode name = node.get("name");
        String argsKey = node.has("parameters") ? "parameters" : node.has("arguments") ? "arguments" : null;
        if (name == null || !name.isString() || name.stringValue().isBlank() || argsKey == null) {
            return null;
        }
        JsonNode args = node.get(argsKey);
        if (args.isNull()) {
            args = JSON.createObjectNode();
        }
        return args.isObject() ? new ToolCall(newCallId(), name.stringValue(), JSON.writeValueAsString(args)) : null;
    }

    private static JsonNode readObject(String s) {
        try {
            JsonNode n = JSON.readTree(s.isEmpty() ? "{}" : s);
            return n != null && n.isObject() ? n : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
