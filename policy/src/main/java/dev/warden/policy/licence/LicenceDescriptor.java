package dev.warden.policy.licence;

import dev.warden.policy.decision.LabelRule;
import java.util.Map;

/**
 * The terms of one model licence that a gateway can act on, loaded from {@code config/licences/*.yaml}.
 *
 * @param attribution           what must be displayed ("Built with Llama"); the gateway sends it as a header
 * @param derivativeNamePrefix  a model created from the materials or their outputs must be named starting with this
 * @param monthlyActiveUsersLimit above this many MAU the licensee needs a separate licence from the licensor
 * @param notice                the Notice text that must accompany redistributed copies
 * @param euMultimodalRestricted the AUP withholds rights to multimodal models from EU-domiciled licensees
 * @param acceptableUseDefaults S-code -> default rule that the acceptable-use policy implies
 */
public record LicenceDescriptor(
        String id,
        String version,
        String name,
        String url,
        String attribution,
        String derivativeNamePrefix,
        long monthlyActiveUsersLimit,
        String notice,
        boolean euMultimodalRestricted,
        Map<String, LabelRule> acceptableUseDefaults) {

    public LicenceDescriptor {
        acceptableUseDefaults = Map.copyOf(acceptableUseDefaults);
    }
}
