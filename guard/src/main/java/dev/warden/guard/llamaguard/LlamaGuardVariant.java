package dev.warden.guard.llamaguard;

import dev.warden.guard.HazardCategory;
import java.util.Arrays;
import java.util.List;

/**
 * The Llama Guard 3 text models this prompt format is for. They differ only in the categories they were trained
 * on: S14 (Code Interpreter Abuse) exists for the 8B (and its INT8 quantisation), not for the 1B, whose card says
 * it "was not optimized for category S14". Llama Guard 4 uses Llama 4's special tokens and is not covered here.
 */
public enum LlamaGuardVariant {
    LLAMA_GUARD_3_8B(true),
    LLAMA_GUARD_3_1B(false);

    private final boolean codeInterpreterAbuse;

    LlamaGuardVariant(boolean codeInterpreterAbuse) {
        this.codeInterpreterAbuse = codeInterpreterAbuse;
    }

    /** The categories the model knows, in prompt order. */
    public List<HazardCategory> categories() {
        return Arrays.stream(HazardCategory.values())
                .filter(c -> codeInterpreterAbuse || c != HazardCategory.S14)
                .toList();
    }
}
