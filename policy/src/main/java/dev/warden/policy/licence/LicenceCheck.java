package dev.warden.policy.licence;

import dev.warden.policy.tenant.Purpose;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantPolicy;
import java.util.List;
import java.util.Optional;

/**
 * May this tenant use this model for this purpose? Checks, in order: the tenant's allowed models, that the tenant
 * accepted the model's licence in its current version, the licence's monthly-active-user ceiling, the EU
 * restriction on multimodal models, and the declared purpose with the derivative-model naming rule.
 */
public final class LicenceCheck {

    public static final String MODEL_NOT_ALLOWED = "model_not_allowed";
    public static final String LICENCE_UNKNOWN = "licence_unknown";
    public static final String LICENCE_NOT_ACCEPTED = "licence_not_accepted";
    public static final String MAU_LIMIT_EXCEEDED = "licence_mau_limit_exceeded";
    public static final String REGION_RESTRICTED = "licence_region_restricted";
    public static final String PURPOSE_NOT_DECLARED = "purpose_not_declared";
    public static final String DERIVATIVE_NAME_REQUIRED = "derivative_name_required";
    public static final String DERIVATIVE_NAME_INVALID = "derivative_name_invalid";

    private final LicenceCatalog licences;

    public LicenceCheck(LicenceCatalog licences) {
        this.licences = licences;
    }

    public LicenceCatalog licences() {
        return licences;
    }

    /** Convenience for the common case: a text model, by licence id, purpose and derivative name. */
    public LicenceVerdict check(Tenant tenant, String licenceId, String purpose, String derivativeModel) {
        return check(tenant, new LicenceRequest(null, licenceId, false, purpose, derivativeModel));
    }

    public LicenceVerdict check(Tenant tenant, LicenceRequest request) {
        TenantPolicy policy = tenant.policy();
        if (request.model() != null && !policy.allowsModel(request.model())) {
            return deny(MODEL_NOT_ALLOWED, 403, "tenant " + tenant.id() + " may not use model " + request.model());
        }
        Optional<LicenceDescriptor> found = Optional.empty();
        if (request.licenceId() != null) {
            found = licences.get(request.licenceId());
            if (found.isEmpty()) {
                return deny(
                        LICENCE_UNKNOWN,
                        500,
                        "the model's licence '" + request.licenceId()
                                + "' has no descriptor in config/licences; refusing rather than guessing its terms");
            }
        }
        LicenceDescriptor licence = found.orElse(null);
        LicenceAcceptance acceptance = null;
        if (licence != null) {
            Optional<LicenceAcceptance> accepted = policy.acceptance(licence.id(), licence.version());
            if (accepted.isEmpty()) {
                return deny(LICENCE_NOT_ACCEPTED, 403, notAccepted(tenant, licence));
            }
            acceptance = accepted.get();
            long mau = policy.monthlyActiveUsers();
            if (licence.monthlyActiveUsersLimit() > 0 && mau > licence.monthlyActiveUsersLimit()) {
                return deny(
                        MAU_LIMIT_EXCEEDED,
                        403,
                        "tenant " + tenant.id() + " declares " + mau
                                + " monthly active users; above " + licence.monthlyActiveUsersLimit() + " the "
                                + licence.name() + " (section 2) requires a separate licence from the licensor");
            }
            if (licence.euMultimodalRestricted() && request.multimodal() && policy.euLicensee()) {
                return deny(
                        REGION_RESTRICTED,
                        403,
                        "the " + licence.name() + " acceptable use policy does not "
                                + "grant rights to multimodal models to licensees domiciled or with their principal place of "
                                + "business in the European Union, and tenant " + tenant.id() + " is one");
            }
        }
        String purpose = request.purposeOrDefault();
        List<Purpose> declared =
                policy.purposes().stream().filter(p -> p.name().equals(purpose)).toList();
        if (declared.isEmpty()) {
            return deny(
                    PURPOSE_NOT_DECLARED,
                    403,
                    "tenant " + tenant.id() + " has not declared the purpose '"
                            + purpose + "' (declared: "
                            + String.join(
                                    ", ",
                                    policy.purposes().stream()
                                            .map(Purpose::name)
                                            .distinct()
                                            .toList()) + ")");
        }
        if (Purpose.createsModel(purpose)) {
            Optional<LicenceVerdict.Denied> denied =
                    checkDerivative(tenant, licence, purpose, declared, request.derivativeModel());
            if (denied.isPresent()) {
                return denied.get();
            }
        }
        return new LicenceVerdict.Allowed(licence, acceptance, licence == null ? "" : licence.attribution());
    }

    private static Optional<LicenceVerdict.Denied> checkDerivative(
            Tenant tenant, LicenceDescriptor licence, String purpose, List<Purpose> declared, String requested) {
        String name = requested == null || requested.isBlank() ? declared.get(0).derivativeModel() : requested;
        if (name == null || name.isBlank()) {
            return Optional.of(deny(
                    DERIVATIVE_NAME_REQUIRED,
                    403,
                    "purpose '" + purpose
                            + "' creates a model: name the derivative model"
                            + (licence == null || licence.derivativeNamePrefix().isEmpty()
                                    ? ""
                                    : ". " + namingRule(licence))));
        }
        // The licence's rule first: a name it forbids is refused for that reason, whatever the tenant declared.
        String prefix = licence == null ? "" : licence.derivativeNamePrefix();
        if (!prefix.isEmpty() && !name.startsWith(prefix)) {
            return Optional.of(deny(
                    DERIVATIVE_NAME_INVALID,
                    403,
                    namingRule(licence) + " '" + name + "' does not begin with \"" + prefix + "\""));
        }
        if (name.equals(requested) && declared.stream().noneMatch(p -> requested.equals(p.derivativeModel()))) {
            return Optional.of(deny(
                    PURPOSE_NOT_DECLARED,
                    403,
                    "tenant " + tenant.id() + " has not declared "
                            + "derivative model '" + requested + "' for purpose '" + purpose + "' (declared: "
                            + String.join(
                                    ", ",
                                    declared.stream()
                                            .map(Purpose::derivativeModel)
                                            .toList()) + ")"));
        }
        return Optional.empty();
    }

    /** The licence's naming rule for derivative models, quoted in refusals. */
    public static String namingRule(LicenceDescriptor licence) {
        return licence.name() + ", section 1.b.i: if you use the "
                + "Llama Materials or any outputs or results of the Llama Materials to create, train, fine tune, "
                + "or otherwise improve an AI model, which is distributed or made available, you shall also "
                + "include \"" + licence.derivativeNamePrefix() + "\" at the beginning of any such AI model name.";
    }

    private static String notAccepted(Tenant tenant, LicenceDescriptor licence) {
        String message = "tenant " + tenant.id() + " has not accepted the " + licence.name() + " (" + licence.id()
                + ") version " + licence.version();
        Optional<LicenceAcceptance> older = tenant.policy().licences().stream()
                .filter(a -> a.licenceId().equals(licence.id()))
                .findFirst();
        if (older.isPresent()) {
            message += "; the acceptance on record (by " + older.get().acceptedBy() + " at "
                    + older.get().acceptedAt() + ") is for version "
                    + older.get().version();
        }
        return message + ". Record the acceptance (who and when) under licences in the tenants file";
    }

    private static LicenceVerdict.Denied deny(String code, int status, String message) {
        return new LicenceVerdict.Denied(code, status, message);
    }
}
