package dev.warden.gateway.guard;

import dev.warden.guard.llamaguard.LlamaGuardVariant;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which classifiers guard requests and responses, under {@code warden.guard}. The PII and secret rules and the
 * embedded MiniLM classifiers are on by default, so a fresh machine is guarded with no downloads; Prompt Guard and
 * Llama Guard come in when their weights are configured.
 *
 * @param rules        PII and secret detectors (e-mail, phone, card, IBAN, SSN, API and private keys)
 * @param codeSecurity insecure code in responses and code-running tool calls (rules with CWE ids)
 * @param embedded     the embedded MiniLM prompt-attack and hazard heads
 * @param promptGuard  Meta's Prompt Guard (ONNX export) from a folder
 * @param llamaGuard   Meta's Llama Guard 3 on an inference engine
 * @param cacheSize    verdicts kept in the cache (0 disables it)
 * @param cacheTtl     how long a cached verdict is reused
 */
@ConfigurationProperties("warden.guard")
public record GuardProperties(
        Switch rules,
        CodeSecurity codeSecurity,
        Switch embedded,
        PromptGuard promptGuard,
        LlamaGuard llamaGuard,
        Long cacheSize,
        Duration cacheTtl) {

    public GuardProperties {
        rules = rules == null ? new Switch(true, null) : rules;
        codeSecurity = codeSecurity == null ? new CodeSecurity(null, null, null) : codeSecurity;
        embedded = embedded == null ? new Switch(true, null) : embedded;
        promptGuard = promptGuard == null ? new PromptGuard(null, null, null) : promptGuard;
        llamaGuard = llamaGuard == null ? new LlamaGuard(null, null, null, null, null) : llamaGuard;
        cacheSize = cacheSize == null ? 100_000L : cacheSize;
        cacheTtl = cacheTtl == null ? Duration.ofMinutes(10) : cacheTtl;
        if (cacheSize < 0) {
            throw new IllegalArgumentException("warden.guard.cache-size must be 0 or more, got " + cacheSize);
        }
        positive(cacheTtl, "warden.guard.cache-ttl");
    }

    /**
     * A deadline of zero or less would time every call out at once: with a fail-open tenant that is the classifier
     * switched off without a word, so it stops the start instead.
     */
    static void positive(Duration d, String setting) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw new IllegalArgumentException(setting + " must be more than zero, got " + d);
        }
    }

    /** A classifier family that is on unless switched off, with an optional deadline of its own. */
    public record Switch(Boolean enabled, Duration deadline) {
        public Switch {
            positive(deadline, "a classifier's deadline (warden.guard.rules.deadline, warden.guard.embedded.deadline)");
        }

        public boolean on() {
            return enabled == null || enabled;
        }

        public Duration deadlineOr(Duration d) {
            return deadline == null ? d : deadline;
        }
    }

    /**
     * The {@code code-security} classifier: on unless switched off.
     *
     * @param rulesFile an operator's own rules file in the built-in file's format, instead of the built-in rules
     */
    public record CodeSecurity(Boolean enabled, Duration deadline, Path rulesFile) {
        public CodeSecurity {
            positive(deadline, "warden.guard.code-security.deadline");
        }

        public boolean on() {
            return enabled == null || enabled;
        }
    }

    /** @param dir a folder with model.onnx, tokenizer.json and config.json (Prompt-Guard-86M or Prompt Guard 2) */
    public record PromptGuard(Path dir, Duration deadline, Double temperature) {
        public PromptGuard {
            positive(deadline, "warden.guard.prompt-guard.deadline");
        }
    }

    /**
     * Either {@code model} (a model this gateway serves whose engine runs Llama Guard, e.g. a remote vLLM) or
     * {@code gguf} (Llama-Guard-3-8B or 1B in GGUF form, run in process).
     *
     * @param variant {@code 8b} (S1-S14, the default) or {@code 1b} (S1-S13); anything else fails start-up, since a
     *                misspelt variant would otherwise prompt the model with the other model's category list
     */
    public record LlamaGuard(String model, Path gguf, String variant, Duration deadline, Integer slots) {
        public LlamaGuard {
            categorySet(variant);
            positive(deadline, "warden.guard.llama-guard.deadline");
            if (slots != null && slots < 1) {
                throw new IllegalArgumentException("warden.guard.llama-guard.slots must be 1 or more, got " + slots);
            }
        }

        /** The category set the configured variant knows. */
        public LlamaGuardVariant categorySet() {
            return categorySet(variant);
        }

        private static LlamaGuardVariant categorySet(String variant) {
            if (variant == null || variant.isBlank() || variant.strip().equalsIgnoreCase("8b")) {
                return LlamaGuardVariant.LLAMA_GUARD_3_8B;
            }
            if (variant.strip().equalsIgnoreCase("1b")) {
                return LlamaGuardVariant.LLAMA_GUARD_3_1B;
            }
            throw new IllegalArgumentException(
                    "warden.guard.llama-guard.variant must be 8b or 1b, got '" + variant + "'");
        }
    }
}
