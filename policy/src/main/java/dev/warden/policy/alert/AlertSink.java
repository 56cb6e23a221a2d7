package dev.warden.policy.alert;

/** Where alerts go. */
public interface AlertSink {

    /** Delivers the alert; throws when it could not be delivered, so that the engine tries again. */
    void send(Alert alert) throws Exception;
}
