package dev.warden.inference.chat;

import dev.warden.inference.ChatMessage;
import dev.warden.inference.InferenceException;
import dev.warden.inference.Role;
import dev.warden.inference.ToolCall;
import dev.warden.inference.ToolDefinition;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders a chat into the Llama 3.1 Instruct prompt byte for byte as the model's HF chat template does
 * ({@code add_generation_prompt=True}, JSON custom tools in the first user message), with these choices where the
 * template has none or is ambiguous:
 * <ul>
 *   <li>Tool results ({@link Role#TOOL}) render under the {@code ipython} header with their text as is, as Meta's
 *       reference {@code chat_format.py} does (the HF template would JSON-quote a plain string).</li>
 *   <li>A past assistant turn with tool calls renders {@code {"name": "fn", "parameters": {...}}} (its text is
 *       dropped, as in the template); several calls are joined by {@code "; "} rather than rejected.</li>
 *   <li>{@code Today Date} is the clock's date ({@code dd MMM yyyy}, like the 3.2 template's
 *       {@code strftime_now}); the 3.1 template's fixed default is {@code 26 Jul 2024}.</li>
 * </ul>
 * The result is a {@link SegmentedPrompt}: the template's special tokens are control segments and everything else,
 * notably all client text, is ordinary text that an engine must never parse for special tokens.
 */
public final class Llama31ChatFormat {

    public static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String START_HEADER = "<|start_header_id|>";
    public static final String END_HEADER = "<|end_header_id|>";
    public static final String END_OF_MESSAGE = "<|eom_id|>";
    public static final String END_OF_TURN = "<|eot_id|>";
    public static final String PYTHON_TAG = "<|python_tag|>";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.US);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOOL_INSTRUCTIONS =
            "Given the following functions, please respond with a JSON for a function call "
                    + "with its proper arguments that best answers the given prompt.\n\n"
                    + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name "
                    + "and its value}.Do not use variables.\n\n";

    private final Clock clock;

    /** Dates the prompt with today's date in UTC. */
    public Llama31ChatFormat() {
        this(Clock.systemUTC());
    }

    public Llama31ChatFormat(Clock clock) {
        this.clock = clock;
    }

    /**
     * The prompt for the assistant's next turn.
     *
     * @throws InferenceException {@code INVALID_REQUEST} when tools are given but no message follows the system
     *     prompt, or a tool call's arguments are not JSON
     */
    public SegmentedPrompt render(List<ChatMessage> messages, List<ToolDefinition> tools) {
        boolean withTools = tools != null && !tools.isEmpty();
        List<ChatMessage> rest = new ArrayList<>(messages);
        String systemMessage = "";
        if (!rest.isEmpty() && rest.get(0).role() == Role.SYSTEM) {
            systemMessage = rest.remove(0).content().strip();
        }

        SegmentedPrompt.Builder p = SegmentedPrompt.builder().control(BEGIN_OF_TEXT);
        header(p, "system");
        if (withTools) {
            p.text("Environment: ipython\n");
        }
        p.text("Cutting Knowledge Date: December 2023\n");
        p.text("Today Date: " + LocalDate.now(clock).format(DATE) + "\n\n");
        p.text(systemMessage);
        p.control(END_OF_TURN);

        if (withTools) {
            if (rest.isEmpty()) {
                throw new InferenceException(
                        InferenceException.Kind.INVALID_REQUEST,
                        "tools need a user message to go into, but the request has none");
            }
            String firstUserMessage = rest.remove(0).content().strip();
            header(p, "user");
            p.text(TOOL_INSTRUCTIONS);
            for (ToolDefinition tool : tools) {
                p.text(PythonJson.dumps(toolJson(tool), 4));
                p.text("\n\n");
            }
            p.text(firstUserMessage);
            p.control(END_OF_TURN);
        }

        for (ChatMessage m : rest) {
            if (m.role() == Role.TOOL) {
                header(p, "ipython");
                p.text(m.content());
                p.control(END_OF_TURN);
            } else if (!m.toolCalls().isEmpty()) {
                header(p, "assistant");
                p.text(toolCallsText(m.toolCalls()));
                p.control(END_OF_TURN);
            } else {
                header(p, m.role().wire());
                p.text(m.content().strip());
                p.control(END_OF_TURN);
            }
        }
        header(p, "assistant");
        return p.build();
    }

    private static void header(SegmentedPrompt.Builder p, String role) {
        p.control(START_HEADER).text(role).control(END_HEADER).text("\n\n");
    }

    /** The OpenAI tool object the HF template is given: {"type": "function", "function": {...}}. */
    static ObjectNode toolJson(ToolDefinition tool) {
        ObjectNode function = JsonNodeFactory.instance.objectNode();
        function.put("name", tool.name());
        if (tool.description() != null) {
            function.put("description", tool.description());
        }
        if (tool.parametersJson() != null && !tool.parametersJson().isBlank()) {
            function.set("parameters", parse(tool.parametersJson(), "parameters of tool " + tool.name()));
        }
        ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
        wrapper.put("type", "function");
        wrapper.set("function", function);
        return wrapper;
    }

    private static String toolCallsText(List<ToolCall> calls) {
        List<String> rendered = new ArrayList<>();
        for (ToolCall call : calls) {
            String args = call.argumentsJson() == null || call.argumentsJson().isBlank() ? "{}" : call.argumentsJson();
            StringBuilder b = new StringBuilder("{\"name\": ");
            PythonJson.string(call.name(), b);
            b.append(", \"parameters\": ").append(PythonJson.dumps(parse(args, "arguments of call " + call.name())));
            rendered.add(b.append('}').toString());
        }
        return String.join("; ", rendered);
    }

    private static JsonNode parse(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InferenceException(
                    InferenceException.Kind.INVALID_REQUEST, what + " are not valid JSON", null, e);
        }
    }
}
