package dev.warden.guard.llamaguard;

import dev.warden.guard.HazardCategory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which hazard categories a tenant's Llama Guard prompt lists, and how. Excluded categories are left out of the
 * prompt and suppressed if the model still returns them; a description, when given, goes on the line after the
 * category (Llama Recipes' {@code build_custom_prompt(with_policy=True)}). Categories keep their original S-codes:
 * renumbering after exclusions is untested by Meta, so it is never done.
 */
public record LlamaGuardCategories(
        LlamaGuardVariant variant, Set<HazardCategory> excluded, Map<HazardCategory, String> descriptions) {

    public LlamaGuardCategories {
        excluded = excluded.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(excluded));
        descriptions = descriptions.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(descriptions));
        for (HazardCategory described : descriptions.keySet()) {
            if (!variant.categories().contains(described)) {
                throw new IllegalArgumentException(described + " is not a category of " + variant);
            }
        }
        if (variant.categories().stream().allMatch(excluded::contains)) {
            throw new IllegalArgumentException("every category is excluded: the prompt would list none");
        }
    }

    /** All of the variant's categories with Meta's wording. */
    public static LlamaGuardCategories standard(LlamaGuardVariant variant) {
        return new LlamaGuardCategories(variant, Set.of(), Map.of());
    }

    public LlamaGuardCategories excluding(Set<HazardCategory> more) {
        EnumSet<HazardCategory> all = EnumSet.noneOf(HazardCategory.class);
        all.addAll(excluded);
        all.addAll(more);
        return new LlamaGuardCategories(variant, all, descriptions);
    }

    public LlamaGuardCategories describing(Map<HazardCategory, String> more) {
        EnumMap<HazardCategory, String> all = new EnumMap<>(HazardCategory.class);
        all.putAll(descriptions);
        all.putAll(more);
        return new LlamaGuardCategories(variant, excluded, all);
    }

    /** The categories listed in the prompt, in S-code order. */
    public List<HazardCategory> listed() {
        return variant.categories().stream().filter(c -> !excluded.contains(c)).toList();
    }

    /** Whether the model may legitimately return this code (listed, or excluded and to be suppressed). */
    public boolean known(HazardCategory category) {
        return variant.categories().contains(category);
    }

    /** The lines between the category markers, joined by {@code \n}, without a trailing newline. */
    public String block() {
        StringBuilder out = new StringBuilder();
        for (HazardCategory c : listed()) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(c.code()).append(": ").append(c.promptName()).append('.');
            String description = descriptions.get(c);
            if (description != null && !description.isBlank()) {
                out.append('\n').append(description.strip());
            }
        }
        return out.toString();
    }

    /** Short hash of the category block, so that a customised prompt gets its own verdict-cache entries. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((variant.name() + '\n' + block()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
