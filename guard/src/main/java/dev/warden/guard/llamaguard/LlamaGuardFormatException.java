package dev.warden.guard.llamaguard;

/** The model's answer is not {@code safe} or {@code unsafe\n<codes>}, or names a code it was not offered. */
public class LlamaGuardFormatException extends IllegalArgumentException {

    public LlamaGuardFormatException(String message) {
        super(message);
    }
}
