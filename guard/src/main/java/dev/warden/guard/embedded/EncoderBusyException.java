package dev.warden.guard.embedded;

/** The encoder cannot take more work now (its queue, or the tenant's share of it, is full) or has stopped. */
public final class EncoderBusyException extends RuntimeException {

    public EncoderBusyException(String message) {
        super(message, null, false, false);
    }
}
