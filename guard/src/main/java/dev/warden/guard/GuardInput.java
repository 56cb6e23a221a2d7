package dev.warden.guard;

import dev.warden.inference.ChatMessage;
import java.util.List;

/**
 * What a classifier is asked to judge. For {@link Direction#INPUT} the conversation ends with the turn(s) the
 * client sent; for {@link Direction#OUTPUT}, {@code response} is the model's reply so far (the Agent turn) and
 * the conversation is its context. Classifiers pick what they need: Prompt Guard scores user turns for
 * jailbreaks and tool content for indirect injection; Llama Guard classifies the whole conversation.
 */
public record GuardInput(Direction direction, List<ChatMessage> conversation, String response) {

    public GuardInput {
        conversation = List.copyOf(conversation);
        if (direction == Direction.OUTPUT && response == null) {
            throw new IllegalArgumentException("an output check needs the response");
        }
    }

    public static GuardInput prompt(List<ChatMessage> conversation) {
        return new GuardInput(Direction.INPUT, conversation, null);
    }

    public static GuardInput response(List<ChatMessage> conversation, String response) {
        return new GuardInput(Direction.OUTPUT, conversation, response);
    }
}
