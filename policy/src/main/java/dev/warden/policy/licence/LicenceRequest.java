package dev.warden.policy.licence;

import dev.warden.inference.ModelDescriptor;
import dev.warden.policy.tenant.Purpose;

/**
 * What a request asks to do, as far as licences care.
 *
 * @param model           served model name (checked against the tenant's allowed models); null to skip that check
 * @param licenceId       the model's licence descriptor id (e.g. {@code llama-3.1}); null for a model under no
 *                        licence we track
 * @param multimodal      whether the model is multimodal (EU restriction of Llama 3.2 and 4)
 * @param purpose         the declared purpose of this request; null means {@value Purpose#CHAT}
 * @param derivativeModel the model being trained or distilled from the outputs, when the purpose creates one
 */
public record LicenceRequest(
        String model, String licenceId, boolean multimodal, String purpose, String derivativeModel) {

    /** For a served model: its name and licence id come from the descriptor. */
    public static LicenceRequest of(ModelDescriptor model, boolean multimodal, String purpose, String derivativeModel) {
        return new LicenceRequest(model.servedName(), model.licence(), multimodal, purpose, derivativeModel);
    }

    public static LicenceRequest chat(String model, String licenceId) {
        return new LicenceRequest(model, licenceId, false, Purpose.CHAT, null);
    }

    public String purposeOrDefault() {
        return purpose == null || purpose.isBlank() ? Purpose.CHAT : purpose;
    }
}
