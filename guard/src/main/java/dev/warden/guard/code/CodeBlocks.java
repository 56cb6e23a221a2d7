package dev.warden.guard.code;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds the code in an Agent turn: Markdown fenced blocks (an unclosed fence, as in a cut stream window, runs to
 * the end), Llama 3.1's built-in code interpreter call ({@code <|python_tag|>} followed by Python, as the model
 * writes it when {@code Environment: ipython} is on), and tool calls in the {@code name(arguments)} form the output
 * guard is given, whose string arguments are code when the tool runs code ({@code ipython}, and tools whose
 * argument is named like code, a command or a query). A turn with neither is scanned whole as code when its
 * syntax gives a language away, so a bare snippet is not missed, while plain prose is left alone.
 */
public final class CodeBlocks {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Pattern FENCE = Pattern.compile("(?m)^[ \\t]{0,3}(`{3,}|~{3,})[ \\t]*([^\\n`]*)$");
    private static final String PYTHON_TAG = "<|python_tag|>";
    private static final Pattern TOOL_CALL = Pattern.compile("(?m)^([A-Za-z_][\\w.-]*)\\((\\{.*\\})\\)\\s*$");
    private static final Map<String, CodeLanguage> CODE_ARGUMENTS = Map.of(
            "code",
            CodeLanguage.PYTHON,
            "script",
            CodeLanguage.SHELL,
            "command",
            CodeLanguage.SHELL,
            "cmd",
            CodeLanguage.SHELL,
            "shell",
            CodeLanguage.SHELL,
            "query",
            CodeLanguage.SQL,
            "sql",
            CodeLanguage.SQL,
            "source",
            CodeLanguage.PYTHON,
            "program",
            CodeLanguage.PYTHON);

    private CodeBlocks() {}

    public static List<CodeBlock> in(String turn) {
        if (turn == null || turn.isEmpty()) {
            return List.of();
        }
        List<CodeBlock> blocks = new ArrayList<>();
        int tag = turn.indexOf(PYTHON_TAG);
        if (tag >= 0) {
            String code = turn.substring(tag + PYTHON_TAG.length())
                    .replace("<|eom_id|>", "")
                    .replace("<|eot_id|>", "");
            if (!code.stripLeading().startsWith("{")) {
                // JSON after the tag is a custom tool call, which the engine turns into a tool call instead
                blocks.add(new CodeBlock(Optional.of(CodeLanguage.PYTHON), code, "tool:ipython", lineOf(turn, tag)));
                turn = turn.substring(0, tag);
            }
        }
        StringBuilder outside = new StringBuilder();
        Matcher open = FENCE.matcher(turn);
        int from = 0;
        while (open.find(from)) {
            outside.append(turn, from, open.start());
            String marker = open.group(1);
            int bodyStart = Math.min(turn.length(), open.end() + 1);
            int bodyEnd = turn.length();
            int next = turn.length();
            Matcher close = FENCE.matcher(turn);
            int search = bodyStart;
            while (search < turn.length() && close.find(search)) {
                // a closing fence uses the same character, at least as many of them, and no info string
                if (close.group(1).charAt(0) == marker.charAt(0)
                        && close.group(1).length() >= marker.length()
                        && close.group(2).isBlank()) {
                    bodyEnd = close.start();
                    next = close.end();
                    break;
                }
                search = close.end();
            }
            String body = turn.substring(bodyStart, Math.max(bodyStart, bodyEnd));
            Optional<CodeLanguage> language = CodeLanguage.fromFence(open.group(2));
            if (language.isEmpty()) {
                language = CodeLanguage.guess(body);
            }
            blocks.add(new CodeBlock(language, body, "fence", lineOf(turn, bodyStart)));
            from = next;
        }
        outside.append(turn, Math.min(from, turn.length()), turn.length());
        Matcher call = TOOL_CALL.matcher(outside);
        while (call.find()) {
            toolArguments(call.group(1), call.group(2), lineOf(turn, turn.indexOf(call.group())), blocks);
        }
        if (blocks.isEmpty() && !turn.isBlank()) {
            // No fence and no tool call: a bare snippet such as "subprocess.call(x, shell=True)" still names its
            // API. Scanned as the language its syntax gives away, or with every language's rules.
            blocks.add(new CodeBlock(CodeLanguage.guess(turn), turn, "text", 1));
        }
        return blocks;
    }

    private static void toolArguments(String tool, String argumentsJson, int line, List<CodeBlock> out) {
        JsonNode arguments;
        try {
            arguments = JSON.readTree(argumentsJson);
        } catch (JacksonException e) {
            // Arguments that are not JSON are still what the tool runs: judge them as they are.
            out.add(new CodeBlock(CodeLanguage.guess(argumentsJson), argumentsJson, "tool:" + tool, line));
            return;
        }
        boolean interpreter = tool.equals("ipython")
                || tool.equals("code_interpreter")
                || tool.equals("python")
                || tool.equals("run_python");
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isString()) {
                continue;
            }
            String name = field.getKey().toLowerCase(java.util.Locale.ROOT);
            CodeLanguage byName = CODE_ARGUMENTS.get(name);
            if (byName == null && !interpreter) {
                continue;
            }
            String code = field.getValue().stringValue();
            Optional<CodeLanguage> language = interpreter
                    ? Optional.of(CodeLanguage.PYTHON)
                    : CodeLanguage.guess(code).or(() -> Optional.of(byName));
            out.add(new CodeBlock(language, code, "tool:" + tool, line));
        }
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < Math.min(index, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
