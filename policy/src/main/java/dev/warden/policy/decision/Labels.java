package dev.warden.policy.decision;

import dev.warden.guard.HazardCategory;
import java.util.Set;

/** The label vocabulary of {@link dev.warden.guard.Verdict}, as far as policy can put rules on it. */
public final class Labels {

    public static final String UNSAFE = "unsafe";
    public static final String JAILBREAK = "jailbreak";
    public static final String INJECTION = "injection";
    /** Insecure code in the model's output (the {@code code-security} classifier); CWE labels refine it. */
    public static final String INSECURE_CODE = "insecure_code";

    private static final String CWE_PREFIX = INSECURE_CODE + ".cwe-";
    public static final Set<String> DETECTIONS =
            Set.of("pii.email", "pii.phone", "pii.card", "pii.iban", "pii.ssn", "secret.api_key", "secret.private_key");

    private Labels() {}

    public static boolean isHazard(String label) {
        return label.length() <= 3 && HazardCategory.fromCode(label).isPresent();
    }

    /** A detection that marks a span of text, which is what makes {@link Action#REDACT} possible. */
    public static boolean isDetection(String label) {
        return label.startsWith("pii.") || label.startsWith("secret.");
    }

    /**
     * Known labels, plus any {@code pii.*}, {@code secret.*} or {@code insecure_code.cwe-N}, so that new rule
     * detectors need no code change here.
     */
    public static boolean isKnown(String label) {
        return isHazard(label)
                || isDetection(label)
                || label.equals(UNSAFE)
                || label.equals(JAILBREAK)
                || label.equals(INJECTION)
                || label.equals(INSECURE_CODE)
                || (label.startsWith(CWE_PREFIX)
                        && label.substring(CWE_PREFIX.length()).matches("\\d+"));
    }
}
