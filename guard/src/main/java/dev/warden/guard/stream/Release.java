package dev.warden.guard.stream;

import dev.warden.inference.StreamChunk;

/**
 * A chunk the gateway may now send to the client, unchanged except that a chunk carrying both text and a finish
 * reason, tool calls or usage is released as two chunks: the text (with its logprobs), then the rest.
 */
public record Release(StreamChunk chunk) implements ModeratedEvent {

    /** Whether this chunk carries response text (one token) rather than tool calls, a finish reason or usage. */
    public boolean isText() {
        return !chunk.text().isEmpty();
    }
}
