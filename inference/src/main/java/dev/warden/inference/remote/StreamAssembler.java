package dev.warden.inference.remote;

import dev.warden.inference.FinishReason;
import dev.warden.inference.InferenceException;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.TokenLogprob;
import dev.warden.inference.ToolCall;
import dev.warden.inference.Usage;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Turns the events of one upstream stream ({@code chat.completion.chunk} or {@code text_completion}) into
 * {@link StreamChunk}s. Tool-call deltas are accumulated and handed out whole with the finish chunk of their choice;
 * usage is held back and handed out last, on {@code [DONE]}. A stream that ends before {@code [DONE]} and before
 * every started choice has a finish reason is an error, never a silent truncation. One instance per attempt.
 */
final class StreamAssembler {

    private final boolean chat;
    private final BitSet started = new BitSet();
    private final BitSet finished = new BitSet();
    private TreeMap<Integer, TreeMap<Integer, PartialCall>> calls;
    private Usage usage;
    private boolean done;

    StreamAssembler(boolean chat) {
        this.chat = chat;
    }

    List<StreamChunk> onEvent(String data) {
        if (done) {
            return List.of();
        }
        if (data.equals("[DONE]")) {
            done = true;
            return usageChunk();
        }
        JsonNode event;
        try {
            event = OpenAiWire.JSON.readTree(data);
        } catch (JacksonException e) {
            throw new InferenceException(
                    InferenceException.Kind.UPSTREAM_ERROR, "upstream sent a stream event that is not JSON", null, e);
        }
        JsonNode error = event.get("error");
        if (error != null && !error.isNull()) {
            throw new InferenceException(
                    InferenceException.Kind.UPSTREAM_ERROR,
                    "upstream failed mid-stream: " + OpenAiWire.errorMessage(event.toString()));
        }
        Usage reported = OpenAiWire.usage(event.get("usage"));
        if (reported != null) {
            usage = reported;
        }
        JsonNode choices = event.get("choices");
        if (choices == null || choices.isEmpty()) {
            return List.of();
        }
        List<StreamChunk> out = null;
        for (JsonNode choice : choices) {
            StreamChunk chunk = chat ? chatChoice(choice) : completionChoice(choice);
            if (chunk != null) {
                if (out == null) {
                    out = new ArrayList<>(choices.size());
                }
                out.add(chunk);
            }
        }
        return out == null ? List.of() : out;
    }

    /** Called when the upstream body ended: the usage chunk if the stream was complete, an error otherwise. */
    List<StreamChunk> end() {
        if (done) {
            return List.of();
        }
        boolean everyStartedChoiceFinished =
                !finished.isEmpty() && started.stream().allMatch(finished::get);
        if (!everyStartedChoiceFinished) {
            throw new InferenceException(
                    InferenceException.Kind.UPSTREAM_ERROR, "upstream stream ended without finish_reason or [DONE]");
        }
        done = true;
        return usageChunk();
    }

    private StreamChunk chatChoice(JsonNode choice) {
        int index = choice.path("index").intValue(0);
        started.set(index);
        JsonNode delta = choice.path("delta");
        String text = OpenAiWire.text(delta.get("content"));
        JsonNode toolDeltas = delta.get("tool_calls");
        if (toolDeltas != null && toolDeltas.isArray()) {
            accumulate(index, toolDeltas);
        }
        List<TokenLogprob> logprobs = OpenAiWire.chatLogprobs(choice.get("logprobs"));
        return chunk(index, text, OpenAiWire.text(choice.get("finish_reason")), logprobs);
    }

    private StreamChunk completionChoice(JsonNode choice) {
        int index = choice.path("index").intValue(0);
        started.set(index);
        List<TokenLogprob> logprobs = OpenAiWire.completionLogprobs(choice.get("logprobs"));
        return chunk(
                index, OpenAiWire.text(choice.get("text")), OpenAiWire.text(choice.get("finish_reason")), logprobs);
    }

    private StreamChunk chunk(int index, String text, String finish, List<TokenLogprob> logprobs) {
        boolean hasText = text != null && !text.isEmpty();
        boolean hasLogprobs = logprobs != null && !logprobs.isEmpty();
        if (finish == null) {
            // Role-only and tool-call deltas carry nothing a client can use yet.
            return hasText || hasLogprobs ? new StreamChunk(index, text, List.of(), null, logprobs, null) : null;
        }
        finished.set(index);
        return new StreamChunk(index, text, wholeCalls(index), FinishReason.parse(finish), logprobs, null);
    }

    private void accumulate(int choice, JsonNode toolDeltas) {
        if (calls == null) {
            calls = new TreeMap<>();
        }
        TreeMap<Integer, PartialCall> ofChoice = calls.computeIfAbsent(choice, c -> new TreeMap<>());
        int position = ofChoice.size();
        for (JsonNode d : toolDeltas) {
            int index = d.path("index").intValue(position);
            PartialCall call = ofChoice.computeIfAbsent(index, i -> new PartialCall());
            String id = OpenAiWire.text(d.get("id"));
            if (id != null && !id.isEmpty()) {
                call.id = id;
            }
            JsonNode function = d.path("function");
            String name = OpenAiWire.text(function.get("name"));
            if (name != null && !name.isEmpty()) {
                call.name = name;
            }
            String arguments = OpenAiWire.text(function.get("arguments"));
            if (arguments != null) {
                call.arguments.append(arguments);
            }
        }
    }

    private List<ToolCall> wholeCalls(int choice) {
        TreeMap<Integer, PartialCall> ofChoice = calls == null ? null : calls.remove(choice);
        if (ofChoice == null) {
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>(ofChoice.size());
        for (PartialCall call : ofChoice.values()) {
            out.add(new ToolCall(call.id, call.name, call.arguments.isEmpty() ? "{}" : call.arguments.toString()));
        }
        return out;
    }

    private List<StreamChunk> usageChunk() {
        return usage == null ? List.of() : List.of(StreamChunk.usage(usage));
    }

    private static final class PartialCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
