package dev.warden.guard.pipeline;

import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.normalize.TextVariants;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import dev.warden.inference.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The input a pipeline actually hands its classifiers for a check, so that every piece of client text is judged
 * although each classifier reads only some roles (Prompt Guard user and tool turns, the embedded hazard head user
 * turns; Llama Guard skips system turns and judges the last User turn, merging consecutive user-side turns).
 * For a prompt check it is the conversation as sent, followed by every other piece of client text as single
 * turns: system, developer and assistant text, every {@code name}, tool calls with their arguments, the
 * attachments (tool definitions, schemas), and the {@link TextVariants} of all of it (folded look-alikes,
 * leetspeak, spaced letters, decoded base64/hex/URL runs). Text that instructs the model is a {@code USER} turn;
 * tool results and documents (third-party content) stay {@code TOOL} turns, so they get the indirect-injection
 * score. Appended after the last turn, these join the turn Llama Guard judges, and cost no extra classifier call.
 * <p>
 * Every turn longer than {@link #SEGMENT_CHARS} is cut into overlapping segments, so that classifiers with a
 * bounded number of windows per text (the embedded encoder) see all of it: a turn's tail is never unjudged.
 */
final class GuardView {

    /**
     * A word piece covers at least one character, so a segment of this many characters fits in the embedded
     * encoder's window budget (64 windows of 254 pieces, 128 passages of 96) with room to spare.
     */
    static final int SEGMENT_CHARS = 8_000;
    /** Shared by consecutive segments, so a sentence cut at one boundary is whole in the next segment. */
    static final int SEGMENT_OVERLAP_CHARS = 400;
    /** System, developer and assistant texts of at most this many words are judged with the user's request. */
    static final int SHORT_INSTRUCTION_WORDS = 12;
    /** Texts of at most this many words are fragments, judged together in one turn. */
    static final int FRAGMENT_WORDS = 3;

    private GuardView() {}

    static GuardInput of(GuardInput input) {
        if (input.direction() == Direction.OUTPUT) {
            return input;
        }
        List<ChatMessage> rest = new ArrayList<>();
        List<ChatMessage> all = new ArrayList<>();
        String request = lastUserTurn(input.conversation());
        for (ChatMessage m : input.conversation()) {
            boolean thirdParty = m.role() == Role.TOOL;
            if (m.role() != Role.USER && m.role() != Role.TOOL) {
                add(rest, Role.USER, withRequest(m.content(), request));
            }
            add(all, thirdParty ? Role.TOOL : Role.USER, m.content());
            add(rest, Role.USER, m.name());
            add(rest, Role.USER, m.toolCallId());
            for (ToolCall call : m.toolCalls()) {
                add(rest, Role.USER, call.name() + "(" + call.argumentsJson() + ")");
            }
        }
        for (ChatMessage a : input.attachments()) {
            add(rest, a.role() == Role.TOOL ? Role.TOOL : Role.USER, a.content());
        }
        all.addAll(rest);
        for (ChatMessage text : all) {
            for (String variant : TextVariants.of(text.content())) {
                add(rest, text.role(), variant);
            }
        }
        if (rest.isEmpty()) {
            return GuardInput.prompt(segmented(input.conversation()));
        }
        List<ChatMessage> judged = new ArrayList<>(input.conversation());
        judged.addAll(fewer(rest));
        return GuardInput.prompt(segmented(judged));
    }

    /**
     * The same texts in fewer turns: fragments of a few words (names, ids, schema keywords) are joined into one
     * turn per role, since alone they say nothing a classifier could judge and each turn costs a model run;
     * longer texts keep a turn of their own, so a sentence is not diluted by unrelated text. Duplicates go.
     */
    static List<ChatMessage> fewer(List<ChatMessage> texts) {
        List<ChatMessage> out = new ArrayList<>();
        java.util.Map<Role, StringBuilder> fragments = new java.util.EnumMap<>(Role.class);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ChatMessage m : texts) {
            if (!seen.add(m.role() + "\u0000" + m.content())) {
                continue;
            }
            if (m.content().strip().split("\\s+", FRAGMENT_WORDS + 1).length <= FRAGMENT_WORDS) {
                StringBuilder joined = fragments.computeIfAbsent(m.role(), r -> new StringBuilder());
                joined.append(joined.isEmpty() ? "" : "\n").append(m.content().strip());
            } else {
                out.add(m);
            }
        }
        fragments.forEach((role, joined) -> out.add(ChatMessage.of(role, joined.toString())));
        return out;
    }

    /**
     * A short instruction is judged together with the request it governs, as the model reads it: alone, a line
     * such as "You are terse." is out of the classifiers' training distribution and reads as an insult, while a
     * hazardous instruction stays hazardous with a user request after it. Longer instructions are judged alone.
     */
    private static String withRequest(String instruction, String request) {
        if (request == null
                || instruction.isBlank()
                || instruction.strip().split("\\s+", SHORT_INSTRUCTION_WORDS + 1).length > SHORT_INSTRUCTION_WORDS) {
            return instruction;
        }
        return instruction.strip() + "\n\n" + request;
    }

    private static String lastUserTurn(List<ChatMessage> conversation) {
        for (int i = conversation.size() - 1; i >= 0; i--) {
            ChatMessage m = conversation.get(i);
            if (m.role() == Role.USER && !m.content().isBlank() && m.content().length() <= SEGMENT_CHARS) {
                return m.content();
            }
        }
        return null;
    }

    private static void add(List<ChatMessage> turns, Role role, String text) {
        if (text != null && !text.isBlank()) {
            turns.add(ChatMessage.of(role, text));
        }
    }

    static List<ChatMessage> segmented(List<ChatMessage> conversation) {
        if (conversation.stream().allMatch(m -> m.content().length() <= SEGMENT_CHARS)) {
            return conversation;
        }
        List<ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : conversation) {
            List<String> parts = segments(m.content());
            for (int i = 0; i < parts.size(); i++) {
                boolean last = i == parts.size() - 1;
                out.add(new ChatMessage(
                        m.role(), parts.get(i), m.name(), last ? m.toolCalls() : List.of(), m.toolCallId()));
            }
        }
        return out;
    }

    /** Overlapping segments of at most {@link #SEGMENT_CHARS}, cut after whitespace where there is some nearby. */
    static List<String> segments(String text) {
        if (text.length() <= SEGMENT_CHARS) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = Math.min(text.length(), start + SEGMENT_CHARS);
            if (end < text.length()) {
                int cut = end;
                while (cut > end - SEGMENT_OVERLAP_CHARS && !Character.isWhitespace(text.charAt(cut - 1))) {
                    cut--;
                }
                end = cut > end - SEGMENT_OVERLAP_CHARS ? cut : end;
                if (Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--;
                }
            }
            out.add(text.substring(start, end));
            if (end >= text.length()) {
                return out;
            }
            int next = end - SEGMENT_OVERLAP_CHARS;
            if (Character.isLowSurrogate(text.charAt(next))) {
                next--;
            }
            start = next;
        }
    }
}
