package dev.warden.inference;

/** Why a choice stopped, with OpenAI's wire names. */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length"),
    TOOL_CALLS("tool_calls"),
    CONTENT_FILTER("content_filter");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static FinishReason parse(String wire) {
        for (FinishReason r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        return STOP;
    }
}
