package dev.warden.policy.licence;

/** The outcome of a {@link LicenceCheck}: allowed (with what to display) or denied (with an error to return). */
public sealed interface LicenceVerdict {

    boolean allowed();

    /**
     * @param licence     the licence the model is under; null for a model under no tracked licence
     * @param acceptance  who accepted it for the tenant and when (for the audit record); null when no licence
     * @param attribution the attribution to display, e.g. {@code Built with Llama} (empty when none)
     */
    record Allowed(LicenceDescriptor licence, LicenceAcceptance acceptance, String attribution)
            implements LicenceVerdict {
        @Override
        public boolean allowed() {
            return true;
        }
    }

    /**
     * @param code       machine-readable error code for the OpenAI error body, e.g. {@code licence_not_accepted}
     * @param httpStatus 403 for what the tenant may not do, 500 for a gateway misconfiguration
     * @param message    what is wrong and what rule says so
     */
    record Denied(String code, int httpStatus, String message) implements LicenceVerdict {
        @Override
        public boolean allowed() {
            return false;
        }
    }
}
