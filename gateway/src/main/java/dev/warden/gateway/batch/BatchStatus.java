package dev.warden.gateway.batch;

import java.util.Locale;

/**
 * A batch's life, as OpenAI documents it: {@code validating -> in_progress -> finalizing -> completed}; a file
 * that fails validation ends {@code failed}; a cancel passes {@code cancelling} to {@code cancelled}; a batch not
 * done within its completion window ends {@code expired}.
 */
public enum BatchStatus {
    VALIDATING,
    FAILED,
    IN_PROGRESS,
    FINALIZING,
    COMPLETED,
    EXPIRED,
    CANCELLING,
    CANCELLED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BatchStatus of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    public boolean terminal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }
}
