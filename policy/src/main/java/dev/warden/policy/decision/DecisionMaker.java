package dev.warden.policy.decision;

import dev.warden.guard.Direction;
import dev.warden.guard.Verdict;
import dev.warden.policy.tenant.TenantPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns classifier verdicts into one decision under a tenant's policy. Stateless and cheap: call it for every
 * input check and every output window.
 * <p>
 * Each score is held against the rule for its label in that direction; the strictest action that fires wins
 * (block > redact > flag > allow), the highest score breaking ties. A failed classifier blocks when the tenant
 * fails closed, and is listed as bypassed when it fails open.
 */
public final class DecisionMaker {

    public Decision decide(String tenantId, TenantPolicy policy, Direction direction, List<Verdict> verdicts) {
        return decide(tenantId, policy.guard(), direction, verdicts);
    }

    public Decision decide(String tenantId, GuardPolicy policy, Direction direction, List<Verdict> verdicts) {
        String where = direction.name().toLowerCase(Locale.ROOT);
        List<Decision.Trigger> triggers = new ArrayList<>();
        List<Decision.Bypass> bypassed = new ArrayList<>();
        Verdict firstFailure = null;
        for (Verdict v : verdicts) {
            if (!v.ok()) {
                if (policy.failMode() == FailMode.OPEN) {
                    bypassed.add(new Decision.Bypass(v.classifier(), v.status(), v.detail()));
                } else if (firstFailure == null) {
                    firstFailure = v;
                }
                continue;
            }
            for (Map.Entry<String, Double> score : v.scores().entrySet()) {
                Optional<LabelRule> rule = policy.rule(direction, score.getKey());
                if (rule.isPresent()
                        && rule.get().action() != Action.ALLOW
                        && score.getValue() >= rule.get().threshold()) {
                    LabelRule r = rule.get();
                    triggers.add(new Decision.Trigger(
                            r.label(), score.getValue(), v.classifier(), r.action(), r.threshold(), r.source()));
                }
            }
        }
        Decision.Trigger decisive = null;
        for (Decision.Trigger t : triggers) {
            if (decisive == null
                    || t.action().stricterThan(decisive.action())
                    || (t.action() == decisive.action() && t.score() > decisive.score())) {
                decisive = t;
            }
        }
        String prefix = "tenant " + tenantId + ": ";
        if (firstFailure != null && (decisive == null || decisive.action() != Action.BLOCK)) {
            return new Decision(
                    tenantId,
                    direction,
                    Action.BLOCK,
                    triggers,
                    prefix + "fail-closed: " + firstFailure.classifier() + " "
                            + firstFailure.status().name().toLowerCase(Locale.ROOT),
                    bypassed);
        }
        if (decisive == null) {
            return new Decision(
                    tenantId, direction, Action.ALLOW, triggers, prefix + where + " no rule fired -> allow", bypassed);
        }
        String rule = prefix + where + " " + decisive.label() + " >= " + decisive.threshold() + " -> "
                + decisive.action().lowerCase()
                + (LabelRule.FROM_TENANT.equals(decisive.source()) ? "" : " (" + decisive.source() + ")");
        return new Decision(tenantId, direction, decisive.action(), triggers, rule, bypassed);
    }
}
