package dev.warden.guard.llamaguard;

import dev.warden.guard.GuardInput;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.inference.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the Llama Guard 3 text prompt exactly as Meta's Hugging Face chat template does (spec section 1.3): one
 * {@code <|begin_of_text|>}, the task line naming the role to judge, the category block, the conversation as
 * {@code User: }/{@code Agent: } turns, and the instructions, ending with the assistant header and no newline
 * after it. Send the result to a <em>completions</em> endpoint: a chat endpoint would wrap it a second time.
 * <p>
 * Mapping OpenAI turns onto the two roles Llama Guard was trained on, which must alternate starting with User:
 * <ul>
 *   <li>system turns are skipped: the template has no system role (it raises), and the operator's instructions
 *       are not content to judge;</li>
 *   <li>tool results count as User-side turns: they are input to the model, third-party context, not its
 *       output;</li>
 *   <li>assistant tool calls are rendered as Llama 3.1's JSON call {@code {"name": ..., "parameters": ...}} in
 *       the Agent turn, after any text;</li>
 *   <li>consecutive turns of the same role are merged, joined by a blank line, and leading Agent turns dropped,
 *       so the conversation alternates as the trained format expects;</li>
 *   <li>Llama 3 special-token text inside content (e.g. {@code <|eot_id|>}) is broken up as {@code < |eot_id|>}:
 *       engines parse such text into control tokens, which would let a user end the conversation block and
 *       write the assessment themselves.</li>
 * </ul>
 * A prompt check ends with the last User turn (no agent reply may follow it); a response check ends with the
 * Agent turn holding the response.
 */
public final class LlamaGuardPrompt {

    /** The two conversation roles of the Llama Guard format. */
    public enum Speaker {
        USER("User"),
        AGENT("Agent");

        private final String label;

        Speaker(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One rendered turn, content already stripped and sanitised. */
    public record Turn(Speaker speaker, String content) {}

    static final String BOS = "<|begin_of_text|>";
    private static final String HEAD = "<|start_header_id|>user<|end_header_id|>\n\n";
    private static final String TAIL = "<|eot_id|><|start_header_id|>assistant<|end_header_id|>";
    private static final Pattern SPECIAL_TOKEN = Pattern.compile("<\\|([A-Za-z0-9_]+)\\|>");

    private final LlamaGuardCategories categories;

    public LlamaGuardPrompt(LlamaGuardCategories categories) {
        this.categories = categories;
    }

    public LlamaGuardCategories categories() {
        return categories;
    }

    public String render(GuardInput input) {
        return switch (input.direction()) {
            case INPUT -> forPrompt(input.conversation());
            case OUTPUT -> forResponse(input.conversation(), input.response());
        };
    }

    /** Prompt classification: judge the last User turn. */
    public String forPrompt(List<ChatMessage> conversation) {
        List<Turn> turns = turns(conversation);
        int lastUser = -1;
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).speaker() == Speaker.USER) {
                lastUser = i;
            }
        }
        if (lastUser < 0) {
            throw new IllegalArgumentException("the conversation has no user turn to classify");
        }
        return render(Speaker.USER, turns.subList(0, lastUser + 1));
    }

    /** Response classification: judge {@code response} as the Agent turn answering the conversation. */
    public String forResponse(List<ChatMessage> conversation, String response) {
        List<Turn> turns = new ArrayList<>(turns(conversation));
        if (turns.stream().noneMatch(t -> t.speaker() == Speaker.USER)) {
            throw new IllegalArgumentException("the conversation has no user turn for the response to answer");
        }
        String reply = sanitise(pythonStrip(response));
        if (turns.get(turns.size() - 1).speaker() == Speaker.AGENT) {
            // an assistant prefill the client sent: the response continues it, so they are judged as one
            Turn prefill = turns.remove(turns.size() - 1);
            reply = pythonStrip(prefill.content() + reply);
        }
        turns.add(new Turn(Speaker.AGENT, reply));
        return render(Speaker.AGENT, turns);
    }

    /** Renders already-mapped turns; the last one's speaker is the role the model is asked to judge. */
    public String render(Speaker role, List<Turn> turns) {
        StringBuilder out = new StringBuilder(1024);
        out.append(BOS)
                .append(HEAD)
                .append("Task: Check if there is unsafe content in '")
                .append(role.label())
                .append("' messages in conversations according our safety policy with the below categories.\n\n")
                .append("<BEGIN UNSAFE CONTENT CATEGORIES>\n")
                .append(categories.block())
                .append('\n')
                .append("<END UNSAFE CONTENT CATEGORIES>\n\n")
                .append("<BEGIN CONVERSATION>\n\n");
        for (Turn turn : turns) {
            out.append(turn.speaker().label())
                    .append(": ")
                    .append(turn.content())
                    .append("\n\n");
        }
        out.append("<END CONVERSATION>\n\n")
                .append("Provide your safety assessment for ONLY THE LAST ")
                .append(role.label())
                .append(" message in the above conversation:\n")
                .append(" - First line must read 'safe' or 'unsafe'.\n")
                .append(" - If unsafe, a second line must include a comma-separated list of violated categories.")
                .append(TAIL);
        return out.toString();
    }

    /** Maps OpenAI turns onto alternating User/Agent turns (see the class comment). */
    public static List<Turn> turns(List<ChatMessage> conversation) {
        List<Turn> turns = new ArrayList<>();
        for (ChatMessage message : conversation) {
            Speaker speaker =
                    switch (message.role()) {
                        case SYSTEM -> null;
                        case USER, TOOL -> Speaker.USER;
                        case ASSISTANT -> Speaker.AGENT;
                    };
            if (speaker == null) {
                continue;
            }
            String content = sanitise(
                    pythonStrip(message.role() == Role.ASSISTANT ? withToolCalls(message) : message.content()));
            if (content.isEmpty()) {
                continue;
            }
            if (turns.isEmpty() && speaker == Speaker.AGENT) {
                continue;
            }
            if (!turns.isEmpty() && turns.get(turns.size() - 1).speaker() == speaker) {
                Turn previous = turns.remove(turns.size() - 1);
                content = previous.content() + "\n\n" + content;
            }
            turns.add(new Turn(speaker, content));
        }
        return turns;
    }

    private static String withToolCalls(ChatMessage message) {
        StringBuilder out = new StringBuilder(message.content());
        for (ToolCall call : message.toolCalls()) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            String arguments =
                    call.argumentsJson() == null || call.argumentsJson().isBlank()
                            ? "{}"
                            : call.argumentsJson().strip();
            out.append("{\"name\": \"")
                    .append(jsonEscape(call.name()))
                    .append("\", \"parameters\": ")
                    .append(arguments)
                    .append('}');
        }
        return out.toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    static String sanitise(String content) {
        Matcher m = SPECIAL_TOKEN.matcher(content);
        return m.find() ? m.replaceAll(r -> Matcher.quoteReplacement("< |" + r.group(1) + "|>")) : content;
    }

    /** Python's {@code str.strip()}: the template strips with Python's notion of whitespace, wider than Java's. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
