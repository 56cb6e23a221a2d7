package dev.warden.guard.llamaguard;

import dev.warden.guard.HazardCategory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict parser of Llama Guard's answer (spec section 1.4): after stripping, exactly {@code safe}, or
 * {@code unsafe} then one line of comma-separated codes. Anything else is a {@link LlamaGuardFormatException},
 * and so is a code the variant does not know: unlike Llama Stack, which calls that safe, the gateway's fail mode
 * decides. Returned codes the tenant excluded are suppressed; if only excluded codes remain the answer is safe.
 */
public final class LlamaGuardVerdictParser {

    private static final Pattern UNSAFE = Pattern.compile("unsafe\\n([^\\n]*)");

    private final LlamaGuardCategories categories;

    public LlamaGuardVerdictParser(LlamaGuardCategories categories) {
        this.categories = categories;
    }

    public LlamaGuardAssessment parse(String answer) {
        String text = LlamaGuardPrompt.pythonStrip(answer == null ? "" : answer);
        if (text.equals("safe")) {
            return new LlamaGuardAssessment(List.of(), List.of());
        }
        Matcher m = UNSAFE.matcher(text);
        if (!m.matches()) {
            throw new LlamaGuardFormatException("not a Llama Guard assessment: " + abbreviate(text));
        }
        Set<HazardCategory> returned = new LinkedHashSet<>();
        for (String code : m.group(1).split(",", -1)) {
            Optional<HazardCategory> category = HazardCategory.fromCode(code.trim());
            if (category.isEmpty() || !categories.known(category.get())) {
                throw new LlamaGuardFormatException("unknown category '" + code.trim() + "' in: " + abbreviate(text));
            }
            returned.add(category.get());
        }
        List<HazardCategory> violated = new ArrayList<>();
        List<HazardCategory> suppressed = new ArrayList<>();
        for (HazardCategory c : returned) {
            (categories.excluded().contains(c) ? suppressed : violated).add(c);
        }
        return new LlamaGuardAssessment(violated, suppressed);
    }

    private static String abbreviate(String text) {
        String escaped = text.replace("\n", "\\n");
        return escaped.length() <= 80 ? '"' + escaped + '"' : '"' + escaped.substring(0, 80) + "...\"";
    }
}
