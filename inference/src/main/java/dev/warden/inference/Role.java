package dev.warden.inference;

import java.util.Locale;

/** A chat role as OpenAI clients send it. {@link #TOOL} renders as Llama 3.1's {@code ipython} role. */
public enum Role {
    SYSTEM,
    USER,
    ASSISTANT,
    TOOL;

    public static Role parse(String wire) {
        return switch (wire.toLowerCase(Locale.ROOT)) {
            case "system", "developer" -> SYSTEM;
            case "user" -> USER;
            case "assistant" -> ASSISTANT;
            case "tool", "ipython", "function" -> TOOL;
            default -> throw new IllegalArgumentException("unknown role '" + wire + "'");
        };
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
