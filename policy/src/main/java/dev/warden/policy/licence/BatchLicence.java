package dev.warden.policy.licence;

import dev.warden.inference.ModelDescriptor;
import dev.warden.policy.tenant.Purpose;
import dev.warden.policy.tenant.Tenant;
import java.util.Collection;
import java.util.Map;

/**
 * The licence terms of a bulk job (a Batch API batch) as a whole, checked when the job is created so that a job the
 * licence forbids is refused (403, the rule quoted) before any of its lines runs. Each line is checked again by the
 * same {@link LicenceCheck} on its way through the request path, so a licence withdrawn mid-job stops it.
 * <p>
 * A job whose outputs create a model (purpose training, distillation or fine-tuning) must name that derivative
 * model itself, unlike a single request, which may fall back to the tenant's declared one: thousands of outputs
 * gathered in one file are a training set, and the licence's naming rule attaches to the model it trains.
 */
public final class BatchLicence {

    /** Keys of the batch's {@code metadata} that declare what its outputs are for. */
    public static final String PURPOSE_KEY = "purpose";

    public static final String DERIVATIVE_MODEL_KEY = "derivative_model";

    private final LicenceCheck check;

    public BatchLicence(LicenceCheck check) {
        this.check = check;
    }

    /**
     * What a job declares its outputs are for. The metadata wins over the request headers
     * ({@code x-warden-purpose}, {@code x-warden-derivative-model}) that a live request would use.
     */
    public record Declaration(String purpose, String derivativeModel) {

        public static Declaration of(Map<String, String> metadata, String purposeHeader, String derivativeHeader) {
            String purpose = firstOf(metadata.get(PURPOSE_KEY), purposeHeader);
            return new Declaration(
                    purpose == null ? Purpose.CHAT : purpose,
                    firstOf(metadata.get(DERIVATIVE_MODEL_KEY), derivativeHeader));
        }

        public boolean createsModel() {
            return Purpose.createsModel(purpose);
        }

        private static String firstOf(String a, String b) {
            if (a != null && !a.isBlank()) {
                return a.trim();
            }
            return b == null || b.isBlank() ? null : b.trim();
        }
    }

    /** Allowed only when every model the job's lines name is; the first refusal otherwise. */
    public LicenceVerdict check(Tenant tenant, Declaration declaration, Collection<ModelDescriptor> models) {
        LicenceVerdict verdict = new LicenceVerdict.Allowed(null, null, "");
        for (ModelDescriptor model : models) {
            LicenceDescriptor licence = model.licence() == null
                    ? null
                    : check.licences().get(model.licence()).orElse(null);
            if (declaration.createsModel() && declaration.derivativeModel() == null) {
                return new LicenceVerdict.Denied(
                        LicenceCheck.DERIVATIVE_NAME_REQUIRED,
                        403,
                        "a batch whose purpose is '"
                                + declaration.purpose() + "' creates a model from the outputs of " + model.servedName()
                                + ": name it in the batch's metadata as '" + DERIVATIVE_MODEL_KEY + "'"
                                + (licence == null
                                                || licence.derivativeNamePrefix()
                                                        .isEmpty()
                                        ? ""
                                        : ". " + LicenceCheck.namingRule(licence)));
            }
            verdict = check.check(
                    tenant, LicenceRequest.of(model, false, declaration.purpose(), declaration.derivativeModel()));
            if (verdict instanceof LicenceVerdict.Denied) {
                return verdict;
            }
        }
        return verdict;
    }
}
