package dev.warden.guard.llamaguard;

import dev.warden.guard.HazardCategory;
import java.util.List;

/**
 * What Llama Guard answered, after excluded categories were suppressed. {@code violated} is empty exactly when the
 * content counts as safe; {@code suppressed} lists returned codes the tenant excluded (kept for the audit record).
 */
public record LlamaGuardAssessment(List<HazardCategory> violated, List<HazardCategory> suppressed) {

    public LlamaGuardAssessment {
        violated = List.copyOf(violated);
        suppressed = List.copyOf(suppressed);
    }

    public boolean safe() {
        return violated.isEmpty();
    }
}
