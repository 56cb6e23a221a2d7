package dev.warden.gateway.admin;

import dev.warden.policy.decision.GuardPolicy;
import dev.warden.policy.decision.LabelRule;
import dev.warden.policy.licence.LicenceAcceptance;
import dev.warden.policy.ratelimit.LimitSet;
import dev.warden.policy.ratelimit.RateLimits;
import dev.warden.policy.ratelimit.Window;
import dev.warden.policy.tenant.ApiKey;
import dev.warden.policy.tenant.Purpose;
import dev.warden.policy.tenant.Tenant;
import dev.warden.policy.tenant.TenantPolicy;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's effective policy as the gateway enforces it: guard rules already have their licence and built-in
 * defaults folded in, so a dashboard shows what happens, not what the file says. Keys appear by id and label
 * only; their hashes stay in the tenants file.
 */
final class PolicyJson {

    private final JsonMapper json;

    PolicyJson(JsonMapper json) {
        this.json = json;
    }

    ObjectNode tenant(Tenant tenant, String policyVersion) {
        TenantPolicy p = tenant.policy();
        ObjectNode root = json.createObjectNode();
        root.put("object", "tenant.policy");
        root.put("id", tenant.id());
        root.put("name", tenant.name());
        root.put("policy_version", policyVersion);
        root.put("all_models", p.models().isEmpty());
        ArrayNode models = root.putArray("models");
        new TreeSet<>(p.models()).forEach(models::add);
        ArrayNode purposes = root.putArray("purposes");
        for (Purpose purpose : p.purposes()) {
            ObjectNode n = purposes.addObject().put("name", purpose.name());
            if (purpose.derivativeModel() != null) {
                n.put("derivative_model", purpose.derivativeModel());
            }
        }
        root.set("guard", guard(p.guard()));
        root.putObject("streaming")
                .put(
                        "mode",
                        p.streaming().mode().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("window_tokens", p.streaming().windowTokens())
                .put("overlap_tokens", p.streaming().overlapTokens())
                .put("first_window_tokens", p.streaming().firstWindowTokens())
                .put("first_window_ms", p.streaming().firstWindowMs())
                .put("window_ms", p.streaming().windowMs());
        root.set("limits", limits(p.limits()));
        root.putObject("audit")
                .put("store_content", p.audit().storeContent())
                .put("retention_days", p.audit().retentionDays())
                .put("content_retention_days", p.audit().contentRetentionDays())
                .put("legal_hold", p.audit().legalHold());
        ArrayNode licences = root.putArray("licences");
        for (LicenceAcceptance a : p.licences()) {
            licences.addObject()
                    .put("id", a.licenceId())
                    .put("version", a.version())
                    .put("accepted_by", a.acceptedBy())
                    .put(
                            "accepted_at",
                            a.acceptedAt() == null ? null : a.acceptedAt().toString());
        }
        if (p.monthlyActiveUsers() < 0) {
            root.putNull("monthly_active_users");
        } else {
            root.put("monthly_active_users", p.monthlyActiveUsers());
        }
        root.put("eu_licensee", p.euLicensee());
        ArrayNode keys = root.putArray("keys");
        for (ApiKey k : tenant.keys()) {
            ObjectNode n = keys.addObject()
                    .put("id", k.id())
                    .put("label", k.label())
                    .put("created", k.created() == null ? null : k.created().toString());
            if (k.limits() != null) {
                n.set("limits", limitSet(k.limits()));
            }
        }
        return root;
    }

    private ObjectNode guard(GuardPolicy guard) {
        ObjectNode n = json.createObjectNode();
        n.put("fail_mode", guard.failMode().name().toLowerCase(Locale.ROOT));
        n.set("input", rules(guard.input()));
        n.set("output", rules(guard.output()));
        return n;
    }

    private ObjectNode rules(Map<String, LabelRule> rules) {
        ObjectNode n = json.createObjectNode();
        for (LabelRule r : new TreeMap<>(rules).values()) {
            n.putObject(r.label())
                    .put("action", r.action().lowerCase())
                    .put("threshold", r.threshold())
                    .put("source", r.source());
        }
        return n;
    }

    private ObjectNode limits(RateLimits limits) {
        ObjectNode n = json.createObjectNode();
        n.set("key", limitSet(limits.key()));
        n.set("tenant", limitSet(limits.tenant()));
        ObjectNode models = n.putObject("models");
        new TreeMap<>(limits.models()).forEach((model, set) -> models.set(model, limitSet(set)));
        n.set("files_and_batches", limitSet(limits.filesAndBatches()));
        return n;
    }

    private ObjectNode limitSet(LimitSet set) {
        ObjectNode n = json.createObjectNode();
        ArrayNode requests = n.putArray("requests");
        for (Window w : set.requests()) {
            requests.add(w.toString());
        }
        ArrayNode tokens = n.putArray("tokens");
        for (Window w : set.tokens()) {
            tokens.add(w.toString());
        }
        n.put("concurrent", set.concurrent());
        return n;
    }
}
