package dev.warden.policy.audit;

/** The store could not do what was asked (unreachable, full, misconfigured). */
public class AuditStoreException extends RuntimeException {

    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
