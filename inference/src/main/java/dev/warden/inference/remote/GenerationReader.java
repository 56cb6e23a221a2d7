package dev.warden.inference.remote;

import dev.warden.inference.Choice;
import dev.warden.inference.FinishReason;
import dev.warden.inference.Generation;
import dev.warden.inference.InferenceException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Turns a non-streamed upstream reply ({@code chat.completion} or {@code text_completion}) into a {@link Generation}. */
final class GenerationReader {

    private GenerationReader() {}

    static Generation read(byte[] body, boolean chat, String servedModel) {
        JsonNode root;
        try {
            root = OpenAiWire.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new InferenceException(InferenceException.Kind.UPSTREAM_ERROR, "upstream reply is not JSON", null, e);
        }
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray()) {
            String error = OpenAiWire.errorMessage(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            throw new InferenceException(
                    InferenceException.Kind.UPSTREAM_ERROR,
                    "upstream reply has no choices" + (error == null ? "" : ": " + error));
        }
        List<Choice> out = new ArrayList<>(choices.size());
        int position = 0;
        for (JsonNode c : choices) {
            int index = c.path("index").intValue(position++);
            String finish = OpenAiWire.text(c.get("finish_reason"));
            FinishReason reason = finish == null ? FinishReason.STOP : FinishReason.parse(finish);
            if (chat) {
                JsonNode message = c.path("message");
                String text = OpenAiWire.text(message.get("content"));
                out.add(new Choice(
                        index,
                        text == null ? "" : text,
                        OpenAiWire.toolCalls(message.get("tool_calls")),
                        reason,
                        OpenAiWire.chatLogprobs(c.get("logprobs"))));
            } else {
                String text = OpenAiWire.text(c.get("text"));
                out.add(new Choice(
                        index,
                        text == null ? "" : text,
                        List.of(),
                        reason,
                        OpenAiWire.completionLogprobs(c.get("logprobs"))));
            }
        }
        return new Generation(servedModel, out, OpenAiWire.usage(root.get("usage")));
    }
}
