package dev.warden.policy.audit;

/** An append that could not be made durable: queue full, log closed, or neither store nor spill file writable. */
public class AuditUnavailableException extends RuntimeException {

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
