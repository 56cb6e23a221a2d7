package dev.warden.guard;

import dev.warden.inference.ChatMessage;
import java.util.List;

/**
 * What a classifier is asked to judge. For {@link Direction#INPUT} the conversation ends with the turn(s) the
 * client sent; for {@link Direction#OUTPUT}, {@code response} is the model's reply so far (the Agent turn) and
 * the conversation is its context. Classifiers pick what they need: Prompt Guard scores user turns for
 * jailbreaks and tool content for indirect injection; Llama Guard classifies the whole conversation.
 * <p>
 * {@code attachments} is client text the model also sees but that is not a turn of the conversation: tool
 * definitions (names, descriptions, parameter schemas), a response format's schema. Each is a message whose role
 * says how to read it: {@code USER} for text that instructs the model, {@code TOOL} for third-party content.
 * The pipeline judges attachments with the other client text classifiers do not read by role (see
 * {@code GuardPipeline}); classifiers themselves only read the conversation.
 */
public record GuardInput(
        Direction direction, List<ChatMessage> conversation, String response, List<ChatMessage> attachments) {

    public GuardInput {
        conversation = List.copyOf(conversation);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        if (direction == Direction.OUTPUT && response == null) {
            throw new IllegalArgumentException("an output check needs the response");
        }
    }

    public GuardInput(Direction direction, List<ChatMessage> conversation, String response) {
        this(direction, conversation, response, List.of());
    }

    public static GuardInput prompt(List<ChatMessage> conversation) {
        return new GuardInput(Direction.INPUT, conversation, null);
    }

    public static GuardInput prompt(List<ChatMessage> conversation, List<ChatMessage> attachments) {
        return new GuardInput(Direction.INPUT, conversation, null, attachments);
    }

    public static GuardInput response(List<ChatMessage> conversation, String response) {
        return new GuardInput(Direction.OUTPUT, conversation, response);
    }
}
