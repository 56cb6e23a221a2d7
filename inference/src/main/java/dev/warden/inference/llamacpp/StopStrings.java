package dev.warden.inference.llamacpp;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back until the next
 * delta decides it, so a stop string is never partly sent and never appears in the output (OpenAI's behaviour).
 * Done here rather than by llama.cpp so that the engine knows a stop string, not the model, ended the choice.
 */
final class StopStrings {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds generated text and returns what may be sent now. */
    String offer(String delta) {
        if (stopped) {
            return "";
        }
        held.append(delta);
        int first = -1;
        for (String stop : stops) {
            int i = held.indexOf(stop);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** At the end of the generation: whatever was held back, since no stop string completed it. */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        String text = held.toString();
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, held.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
