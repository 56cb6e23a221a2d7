package dev.warden.policy.tenant;

import dev.warden.guard.Direction;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.DefaultRules;
import dev.warden.policy.decision.FailMode;
import dev.warden.policy.decision.GuardPolicy;
import dev.warden.policy.decision.LabelRule;
import dev.warden.policy.decision.Labels;
import dev.warden.policy.licence.LicenceAcceptance;
import dev.warden.policy.licence.LicenceCatalog;
import dev.warden.policy.licence.LicenceDescriptor;
import dev.warden.policy.ratelimit.LimitSet;
import dev.warden.policy.ratelimit.RateLimits;
import dev.warden.policy.ratelimit.Window;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and validates the tenants file (schema: {@code config/tenants.example.yaml}). Hazard rules are resolved
 * here, once: built-in defaults, then the acceptable-use defaults of the tenant's licence, then the tenant's
 * {@code both}, then its {@code input} / {@code output}.
 */
final class TenantFile {

    private static final Set<String> TENANT_FIELDS = Set.of(
            "id",
            "name",
            "models",
            "purposes",
            "guard",
            "streaming",
            "limits",
            "audit",
            "licences",
            "monthly-active-users",
            "eu-licensee",
            "keys");
    private static final Set<String> KEY_FIELDS = Set.of("id", "label", "sha256", "created", "limits");
    private static final Set<String> LICENCE_FIELDS = Set.of("id", "version", "accepted-by", "accepted-at");
    private static final Set<String> PURPOSE_FIELDS = Set.of("name", "derivative-model");
    private static final Set<String> GUARD_FIELDS =
            Set.of("fail-mode", "defaults-from", "both", "input", "output", "max-input-chars");
    private static final Set<String> RULE_FIELDS = Set.of("action", "threshold");
    private static final Set<String> STREAMING_FIELDS =
            Set.of("mode", "window-tokens", "overlap-tokens", "first-window-tokens", "first-window-ms", "window-ms");
    private static final Set<String> LIMITS_FIELDS = Set.of("key", "tenant", "models", "files-and-batches");
    private static final Set<String> LIMIT_FIELDS = Set.of("requests", "tokens", "concurrent");
    // managing files and batches moves no tokens: a token window there would never bite
    private static final Set<String> FILES_AND_BATCHES_FIELDS = Set.of("requests", "concurrent");
    private static final Set<String> AUDIT_FIELDS = Set.of(
            "store-content", "retention-days", "metadata-retention-days", "content-retention-days", "legal-hold");

    /**
     * Every field the file may hold, by the part of the file it belongs to: the schema, which
     * docs/CONFIGURATION.md documents part by part ({@code TenantFileReferenceTest} checks that it does).
     */
    static final Map<String, Set<String>> SCHEMA = Map.ofEntries(
            Map.entry("tenant", TENANT_FIELDS),
            Map.entry("licences[]", LICENCE_FIELDS),
            Map.entry("purposes[]", PURPOSE_FIELDS),
            Map.entry("guard", GUARD_FIELDS),
            Map.entry("guard rule", RULE_FIELDS),
            Map.entry("streaming", STREAMING_FIELDS),
            Map.entry("limits", LIMITS_FIELDS),
            Map.entry("limit set", LIMIT_FIELDS),
            Map.entry("limits.files-and-batches", FILES_AND_BATCHES_FIELDS),
            Map.entry("audit", AUDIT_FIELDS),
            Map.entry("keys[]", KEY_FIELDS));

    private final LicenceCatalog licences;

    TenantFile(LicenceCatalog licences) {
        this.licences = licences;
    }

    List<Tenant> read(Path file, byte[] content) {
        ConfigDocument.Node root = ConfigDocument.parse(file, content).root().allowOnly(Set.of("tenants"));
        ConfigDocument.Node tenantsNode = root.get("tenants");
        if (!tenantsNode.present()) {
            throw tenantsNode.error("is required (a list of tenants)");
        }
        List<Tenant> tenants = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        Set<String> keyIds = new HashSet<>();
        for (ConfigDocument.Node t : tenantsNode.list()) {
            Tenant tenant = tenant(t);
            if (!ids.add(tenant.id())) {
                throw t.get("id").error("tenant id '" + tenant.id() + "' appears twice");
            }
            for (int i = 0; i < tenant.keys().size(); i++) {
                ApiKey key = tenant.keys().get(i);
                ConfigDocument.Node k = t.get("keys").list().get(i);
                if (!hashes.add(key.sha256())) {
                    throw k.get("sha256").error("this key hash is already listed (keys are unique across tenants)");
                }
                if (!keyIds.add(key.id())) {
                    throw k.get("id").error("key id '" + key.id() + "' is already used");
                }
            }
            tenants.add(tenant);
        }
        return tenants;
    }

    private Tenant tenant(ConfigDocument.Node t) {
        t.allowOnly(TENANT_FIELDS);
        String id = t.get("id").identifier(null);
        if (id == null) {
            throw t.get("id").error("is required");
        }
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw t.get("id").error("tenant ids use letters, digits, '.', '_' and '-' (at most 64), got '" + id + "'");
        }
        Set<String> models = new LinkedHashSet<>();
        for (ConfigDocument.Node m : t.get("models").list()) {
            models.add(m.text());
        }
        List<LicenceAcceptance> accepted = acceptances(t.get("licences"));
        RateLimits limits = limits(t.get("limits"));
        for (String model : limits.models().keySet()) {
            if (!models.isEmpty() && !models.contains(model)) {
                throw t.get("limits")
                        .get("models")
                        .get(model)
                        .error("limits for model '" + model + "', which this tenant may not use (models: "
                                + String.join(", ", models) + ")");
            }
        }
        TenantPolicy policy = new TenantPolicy(
                models,
                purposes(t.get("purposes")),
                guard(t.get("guard"), accepted),
                streaming(t.get("streaming")),
                limits,
                audit(t.get("audit")),
                accepted,
                t.get("monthly-active-users").longValue(-1, 0, Long.MAX_VALUE),
                t.get("eu-licensee").bool(false));
        List<ApiKey> keys = new ArrayList<>();
        for (ConfigDocument.Node k : t.get("keys").list()) {
            keys.add(key(k));
        }
        return new Tenant(id, t.get("name").text(id), policy, keys);
    }

    private ApiKey key(ConfigDocument.Node k) {
        k.allowOnly(KEY_FIELDS);
        String sha = k.get("sha256").identifier(null);
        if (sha == null) {
            throw k.get("sha256").error("is required");
        }
        sha = sha.toLowerCase(java.util.Locale.ROOT);
        if (!ApiKeys.isHash(sha)) {
            throw k.get("sha256").error("expected 64 hex digits (the SHA-256 of the key; never the key itself)");
        }
        String id = k.get("id").identifier(ApiKeys.keyId(sha));
        Instant created = k.get("created").present() ? k.get("created").instant() : null;
        LimitSet limits = k.get("limits").present() ? limitSet(k.get("limits")) : null;
        return new ApiKey(id, k.get("label").text(""), sha, created, limits);
    }

    private List<Purpose> purposes(ConfigDocument.Node node) {
        if (!node.present()) {
            return List.of(new Purpose(Purpose.CHAT, null));
        }
        List<Purpose> purposes = new ArrayList<>();
        for (ConfigDocument.Node p : node.list()) {
            Purpose purpose;
            if (!p.isMapping()) {
                purpose = new Purpose(p.text(), null);
            } else {
                p.allowOnly(PURPOSE_FIELDS);
                purpose = new Purpose(
                        p.get("name").text(),
                        p.get("derivative-model").optionalText().orElse(null));
            }
            if (purpose.createsModel() && purpose.derivativeModel() == null) {
                throw p.error("purpose '" + purpose.name() + "' creates a model: name it with derivative-model");
            }
            purposes.add(purpose);
        }
        return purposes;
    }

    private List<LicenceAcceptance> acceptances(ConfigDocument.Node node) {
        List<LicenceAcceptance> accepted = new ArrayList<>();
        for (ConfigDocument.Node a : node.list()) {
            a.allowOnly(LICENCE_FIELDS);
            String id = a.get("id").text();
            if (!licences.isEmpty() && licences.get(id).isEmpty()) {
                throw a.get("id")
                        .error("no licence descriptor with id '" + id + "' (known: "
                                + String.join(
                                        ", ",
                                        licences.all().stream()
                                                .map(LicenceDescriptor::id)
                                                .sorted()
                                                .toList())
                                + ")");
            }
            accepted.add(new LicenceAcceptance(
                    id,
                    a.get("version").text(),
                    a.get("accepted-by").text(),
                    a.get("accepted-at").instant()));
        }
        return accepted;
    }

    private GuardPolicy guard(ConfigDocument.Node g, List<LicenceAcceptance> accepted) {
        g.allowOnly(GUARD_FIELDS);
        Map<String, LabelRule> licenceDefaults = licenceDefaults(g.get("defaults-from"), accepted);
        Map<String, LabelRule> both = rules(g.get("both"), Direction.INPUT);
        Map<String, LabelRule> input = DefaultRules.forDirection(Direction.INPUT);
        Map<String, LabelRule> output = DefaultRules.forDirection(Direction.OUTPUT);
        for (Map<String, LabelRule> layer : List.of(licenceDefaults, both)) {
            input.putAll(layer);
            output.putAll(layer);
        }
        input.putAll(rules(g.get("input"), Direction.INPUT));
        output.putAll(rules(g.get("output"), Direction.OUTPUT));
        return new GuardPolicy(
                g.get("fail-mode").enumValue(FailMode.class, FailMode.CLOSED),
                input,
                output,
                g.get("max-input-chars").longValue(GuardPolicy.DEFAULT_MAX_INPUT_CHARS, 1, 10_000_000));
    }

    private Map<String, LabelRule> licenceDefaults(ConfigDocument.Node from, List<LicenceAcceptance> accepted) {
        if (from.present()) {
            String id = from.text();
            if (id.equals("none")) {
                return Map.of();
            }
            return licences.get(id)
                    .map(LicenceDescriptor::acceptableUseDefaults)
                    .orElseThrow(() -> from.error("no licence descriptor with id '" + id + "'"));
        }
        // Without an explicit choice, the first accepted licence that we have a descriptor for supplies defaults.
        return accepted.stream()
                .map(a -> licences.get(a.licenceId()))
                .flatMap(Optional::stream)
                .findFirst()
                .map(LicenceDescriptor::acceptableUseDefaults)
                .orElse(Map.of());
    }

    private static Map<String, LabelRule> rules(ConfigDocument.Node node, Direction direction) {
        Map<String, LabelRule> rules = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigDocument.Node> e : node.entries().entrySet()) {
            String label = e.getKey();
            ConfigDocument.Node r = e.getValue();
            if (!Labels.isKnown(label)) {
                throw r.error("unknown label '" + label + "' (S1 ... S14, unsafe, jailbreak, injection, "
                        + "insecure_code, pii.*, secret.*)");
            }
            Action action;
            double threshold = 0.5;
            if (!r.isMapping()) {
                action = r.enumValue(Action.class, null);
            } else {
                r.allowOnly(RULE_FIELDS);
                action = r.get("action").enumValue(Action.class, null);
                if (action == null) {
                    throw r.get("action").error("is required (block, flag, redact or allow)");
                }
                threshold = r.get("threshold").doubleValue(0.5, 0.0, 1.0);
            }
            if (action == Action.REDACT && !Labels.isDetection(label)) {
                throw r.error(
                        "redact needs a span to cut, so it applies only to pii.* and secret.* labels, not " + label);
            }
            rules.put(label, new LabelRule(label, action, threshold, LabelRule.FROM_TENANT));
        }
        return rules;
    }

    private static StreamingPolicy streaming(ConfigDocument.Node s) {
        s.allowOnly(STREAMING_FIELDS);
        StreamingPolicy d = StreamingPolicy.DEFAULT;
        int window = s.get("window-tokens").intValue(d.windowTokens(), 8, 8192);
        int overlap = s.get("overlap-tokens").intValue(Math.min(d.overlapTokens(), window / 2), 0, 8192);
        if (overlap >= window) {
            throw s.get("overlap-tokens").error("must be smaller than window-tokens (" + window + ")");
        }
        int first = s.get("first-window-tokens").intValue(Math.min(d.firstWindowTokens(), window), 1, 8192);
        if (first > window) {
            throw s.get("first-window-tokens").error("must not exceed window-tokens (" + window + ")");
        }
        int firstMs = s.get("first-window-ms").intValue(d.firstWindowMs(), 0, 600_000);
        int windowMs = s.get("window-ms").intValue(d.windowMs(), 0, 600_000);
        return new StreamingPolicy(
                s.get("mode").enumValue(StreamingPolicy.Mode.class, d.mode()),
                window,
                overlap,
                first,
                firstMs,
                windowMs);
    }

    private static AuditSettings audit(ConfigDocument.Node a) {
        a.allowOnly(AUDIT_FIELDS);
        if (a.get("retention-days").present()
                && a.get("metadata-retention-days").present()) {
            throw a.get("retention-days").error("give metadata-retention-days only (retention-days is its old name)");
        }
        ConfigDocument.Node metadataNode =
                a.get("metadata-retention-days").present() ? a.get("metadata-retention-days") : a.get("retention-days");
        int metadata = metadataNode.intValue(AuditSettings.DEFAULT.metadataRetentionDays(), 1, 36_500);
        if (metadata < AuditSettings.MINIMUM_METADATA_RETENTION_DAYS) {
            throw metadataNode.error("audit records must be kept at least "
                    + AuditSettings.MINIMUM_METADATA_RETENTION_DAYS + " days (six months: deployers keep logs at least "
                    + "that long under EU AI Act Art. 19 and 26(6)), got " + metadata
                    + "; shorten content-retention-days instead to keep less text");
        }
        int content = a.get("content-retention-days").intValue(metadata, 1, 36_500);
        if (content > metadata) {
            throw a.get("content-retention-days")
                    .error("content cannot outlive its record: at most " + "metadata-retention-days (" + metadata
                            + "), got " + content);
        }
        return new AuditSettings(
                a.get("store-content").bool(AuditSettings.DEFAULT.storeContent()),
                metadata,
                content,
                a.get("legal-hold").bool(false),
                a.get("content-retention-days").present());
    }

    private static RateLimits limits(ConfigDocument.Node l) {
        l.allowOnly(LIMITS_FIELDS);
        Map<String, LimitSet> models = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigDocument.Node> e :
                l.get("models").entries().entrySet()) {
            models.put(e.getKey(), limitSet(e.getValue()));
        }
        ConfigDocument.Node filesAndBatches = l.get("files-and-batches");
        filesAndBatches.allowOnly(FILES_AND_BATCHES_FIELDS);
        return new RateLimits(limitSet(l.get("key")), limitSet(l.get("tenant")), models, limitSet(filesAndBatches));
    }

    private static LimitSet limitSet(ConfigDocument.Node node) {
        node.allowOnly(LIMIT_FIELDS);
        return new LimitSet(
                windows(node.get("requests")),
                windows(node.get("tokens")),
                node.get("concurrent").intValue(0, 0, 1_000_000));
    }

    private static List<Window> windows(ConfigDocument.Node node) {
        List<Window> windows = new ArrayList<>();
        for (ConfigDocument.Node w : node.list()) {
            try {
                windows.add(Window.parse(w.text()));
            } catch (IllegalArgumentException e) {
                throw w.error(e.getMessage());
            }
        }
        return windows;
    }
}
