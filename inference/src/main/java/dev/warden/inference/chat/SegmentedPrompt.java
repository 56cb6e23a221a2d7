package dev.warden.inference.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A prompt kept as the sequence the model must see: control tokens (by their text, e.g. {@code <|eot_id|>}) and
 * ordinary text. The split is what makes sanitising possible: an engine encodes each control segment as its one
 * special token and every text segment as plain text, so client text that happens to contain
 * {@code <|eot_id|>} can never become the control token (llama.cpp's tokenizer would otherwise parse it as one).
 *
 * <p>{@link #text()} is the flat string, for display, hashing and engines whose tokenizer parses specials only
 * where we put them. Adjacent text segments are merged so that BPE sees the same chunks as in the flat string.
 */
public final class SegmentedPrompt {

    /** One piece of a prompt: a control token's text ({@code control}) or ordinary text. */
    public record Segment(String text, boolean control) {}

    private final List<Segment> segments;
    private final String text;

    private SegmentedPrompt(List<Segment> segments) {
        this.segments = List.copyOf(segments);
        StringBuilder b = new StringBuilder();
        segments.forEach(s -> b.append(s.text()));
        this.text = b.toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A prompt that is all ordinary text (nothing in it may become a control token). */
    public static SegmentedPrompt ofText(String text) {
        return builder().text(text).build();
    }

    public List<Segment> segments() {
        return segments;
    }

    /** The flat prompt string. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentedPrompt p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    public static final class Builder {

        private final List<Segment> segments = new ArrayList<>();
        private final StringBuilder pendingText = new StringBuilder();

        private Builder() {}

        /** Appends a control token, e.g. {@code <|start_header_id|>}. */
        public Builder control(String token) {
            flushText();
            segments.add(new Segment(token, true));
            return this;
        }

        /** Appends ordinary text; it is never read as control tokens. */
        public Builder text(String text) {
            pendingText.append(text);
            return this;
        }

        public SegmentedPrompt build() {
            flushText();
            return new SegmentedPrompt(segments);
        }

        private void flushText() {
            if (pendingText.length() > 0) {
                segments.add(new Segment(pendingText.toString(), false));
                pendingText.setLength(0);
            }
        }
    }
}
