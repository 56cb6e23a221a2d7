package dev.warden.gateway.flow;

import dev.warden.gateway.api.ApiErrors;
import dev.warden.gateway.api.ApiException;
import dev.warden.guard.HazardCategory;
import dev.warden.policy.decision.Decision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a block looks to the client, following Azure OpenAI's content-filter conventions: a blocked prompt is
 * HTTP 400 with code {@code content_filter}, the categories and their scores.
 */
public final class ContentFilter {

    private ContentFilter() {}

    public static ApiException promptBlocked(Decision decision, List<String> classifiers) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("categories", decision.decisiveLabels().stream().sorted().toList());
        extra.put("scores", scores(decision));
        extra.put("classifiers", classifiers);
        extra.put("rule", decision.rule());
        extra.put(
                "innererror",
                Map.of("code", "ResponsibleAIPolicyViolation", "content_filter_result", filterResult(decision)));
        return ApiErrors.promptBlocked(
                "The prompt was blocked by the gateway's content filter (" + describe(decision) + "). "
                        + "Rephrase the request; if you believe this is a mistake, quote the x-request-id.",
                extra);
    }

    /** The labels that decided, named: {@code S9 Indiscriminate Weapons, jailbreak}. */
    public static String describe(Decision decision) {
        List<String> parts = decision.decisiveLabels().stream()
                .sorted()
                .map(label -> HazardCategory.fromCode(label)
                        .map(c -> c.code() + " " + c.promptName())
                        .orElse(label))
                .toList();
        return parts.isEmpty() ? decision.rule() : String.join(", ", parts);
    }

    public static Map<String, Double> scores(Decision decision) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (Decision.Trigger t : decision.triggers()) {
            scores.merge(t.label(), t.score(), Math::max);
        }
        return scores;
    }

    private static Map<String, Object> filterResult(Decision decision) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Decision.Trigger t : decision.triggers()) {
            result.put(
                    t.label(),
                    Map.of(
                            "filtered",
                            decision.decisiveLabels().contains(t.label()),
                            "score",
                            t.score(),
                            "classifier",
                            t.classifier()));
        }
        return result;
    }
}
