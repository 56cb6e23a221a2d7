package dev.warden.gateway.flow;

import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.HazardCategory;
import dev.warden.guard.embedded.EncoderCaller;
import dev.warden.guard.llamaguard.LlamaGuardClassifier;
import dev.warden.guard.pipeline.GuardPipeline;
import dev.warden.guard.pipeline.GuardReport;
import dev.warden.guard.pipeline.GuardStage;
import dev.warden.guard.rules.Redactor;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.Decision;
import dev.warden.policy.decision.DecisionMaker;
import dev.warden.policy.tenant.Principal;
import dev.warden.policy.tenant.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * The guard stages of the gateway: runs the configured classifiers for a direction and lets the tenant's policy
 * decide. Every decision and every bypassed classifier is counted, so a fail-open tenant's gaps are visible.
 */
public final class Guards {

    /** A pipeline run and what policy made of it. */
    public record Checked(GuardReport report, Decision decision) {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Guards.class);

    /** One pipeline for both directions: each classifier declares the directions it judges. */
    private final GuardPipeline pipeline;

    private final DecisionMaker decider = new DecisionMaker();
    private final TenantDirectory tenants;
    private final Redactor redactor;
    private final MeterRegistry metrics;

    private final dev.warden.guard.pipeline.VerdictCache cache;
    private final java.util.concurrent.ConcurrentMap<String, GuardPipeline> tailored =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean tailorsLlamaGuard;
    private final java.util.Map<Direction, List<String>> classifierNames = new java.util.EnumMap<>(Direction.class);
    /** Per direction, the report of a pipeline run in which no classifier applies (all of them skipped). */
    private final java.util.Map<Direction, GuardReport> nothingApplies = new java.util.EnumMap<>(Direction.class);
    /** Decision counters by direction, action, category and tenant: looked up once, not rebuilt on every request. */
    private final java.util.concurrent.ConcurrentMap<DecisionKey, io.micrometer.core.instrument.Counter> decisions =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Built on every decision: a record hashes the labels' cached hashes instead of a new concatenated string. */
    private record DecisionKey(String direction, String action, String category, String tenant) {}

    private final JudgedUnsafe judgedUnsafe = new JudgedUnsafe(100_000, java.time.Duration.ofHours(24));

    public Guards(
            GuardPipeline pipeline,
            dev.warden.guard.pipeline.VerdictCache cache,
            TenantDirectory tenants,
            Redactor redactor,
            MeterRegistry metrics) {
        this.cache = cache;
        this.pipeline = pipeline;
        this.tenants = tenants;
        this.redactor = redactor;
        this.metrics = metrics;
        this.tailorsLlamaGuard =
                pipeline.stages().stream().anyMatch(s -> s.classifier() instanceof LlamaGuardClassifier);
        for (Direction direction : Direction.values()) {
            classifierNames.put(
                    direction,
                    pipeline.stages().stream()
                            .map(GuardStage::classifier)
                            .filter(c -> c.directions().contains(direction))
                            .map(c -> c.name())
                            .toList());
            nothingApplies.put(
                    direction,
                    new GuardReport(
                            List.of(),
                            List.of(),
                            List.of(),
                            pipeline.stages().stream()
                                    .map(s -> s.classifier().name())
                                    .toList(),
                            java.time.Duration.ZERO));
        }
    }

    public Mono<Checked> check(Principal principal, GuardInput content) {
        if (classifierNames.get(content.direction()).isEmpty()) {
            // Nothing judges this direction (e.g. no output classifier): policy decides on no verdicts at once,
            // without assembling an empty pipeline run for every response and every stream window.
            return Mono.just(unjudged(principal, content.direction()));
        }
        // the embedded encoder shares its capacity fairly by tenant and request, and caches per tenant
        return judge(principal, content).contextWrite(EncoderCaller.forRequest(principal.tenantId()));
    }

    private Mono<Checked> judge(Principal principal, GuardInput content) {
        GuardPipeline pipeline = pipelineFor(principal, content.direction());
        // per tenant: a shared cache would let one tenant learn, by timing, what another one sent
        String scope = principal.tenantId() + '\u0000' + tenants.policyVersion();
        return pipeline.run(content, scope).map(report -> {
            Decision decision =
                    decider.decide(principal.tenantId(), principal.policy(), content.direction(), report.verdicts());
            if (content.direction() == Direction.INPUT) {
                decision = rememberOrRecall(scope, content, report, decision);
            }
            count(principal, content.direction(), decision);
            return new Checked(report, decision);
        });
    }

    /** Policy's decision on no verdicts, counted like every other decision, with the report of an empty run. */
    private Checked unjudged(Principal principal, Direction direction) {
        Decision decision = decider.decide(principal.tenantId(), principal.policy(), direction, List.of());
        count(principal, direction, decision);
        return new Checked(nothingApplies.get(direction), decision);
    }

    /**
     * A prompt judged in full and blocked is remembered; a prompt let through only because classifiers failed and
     * the tenant fails open is blocked after all when it was found unsafe before.
     */
    private Decision rememberOrRecall(String scope, GuardInput content, GuardReport report, Decision decision) {
        if (decision.blocked()) {
            if (report.complete()) {
                judgedUnsafe.remember(scope, content, decision);
            }
            return decision;
        }
        if (decision.bypassed().isEmpty()) {
            return decision;
        }
        return judgedUnsafe
                .recall(scope, content)
                .map(triggers -> new Decision(
                        decision.tenantId(),
                        decision.direction(),
                        Action.BLOCK,
                        triggers,
                        "tenant " + decision.tenantId() + ": fails open, but this prompt was judged unsafe before ("
                                + triggers.get(0).label() + ")",
                        decision.bypassed()))
                .orElse(decision);
    }

    /**
     * The pipeline for one tenant and direction. Llama Guard is asked only about the categories the tenant does not
     * allow outright, as Meta's zero-shot customisation and Llama Stack's excluded categories do; the other
     * classifiers are shared. Tailored pipelines are few (one per distinct set of allowed categories) and kept.
     */
    GuardPipeline pipelineFor(Principal principal, Direction direction) {
        GuardPipeline base = pipeline;
        if (!tailorsLlamaGuard) {
            return base;
        }
        Set<HazardCategory> allowed = EnumSet.noneOf(HazardCategory.class);
        for (HazardCategory category : HazardCategory.values()) {
            principal
                    .policy()
                    .guard()
                    .rule(direction, category.code())
                    .filter(rule -> rule.action() == Action.ALLOW)
                    .ifPresent(rule -> allowed.add(category));
        }
        if (allowed.isEmpty()) {
            return base;
        }
        return tailored.computeIfAbsent(
                direction + ":" + allowed,
                key -> new GuardPipeline(
                        base.stages().stream()
                                .map(stage -> stage.classifier() instanceof LlamaGuardClassifier llamaGuard
                                        ? new GuardStage(
                                                llamaGuard.withCategories(llamaGuard
                                                        .config()
                                                        .categories()
                                                        .excluding(allowed)),
                                                stage.deadline())
                                        : stage)
                                .toList(),
                        cache));
    }

    /** Policy's decision on a chosen subset of verdicts, e.g. only those of one shield. */
    public Decision decide(Principal principal, Direction direction, List<dev.warden.guard.Verdict> verdicts) {
        return decider.decide(principal.tenantId(), principal.policy(), direction, verdicts);
    }

    /** Names of the classifiers that judge a direction, for the response headers. */
    public List<String> classifiers(Direction direction) {
        return classifierNames.get(direction);
    }

    public Redactor redactor() {
        return redactor;
    }

    private void count(Principal principal, Direction direction, Decision decision) {
        String dir = direction == Direction.INPUT ? "input" : "output";
        String action = decision.action().lowerCase();
        // the category that decided (the first label that fired at the decided action), "none" when nothing fired
        String category = decision.decisiveLabels().stream().findFirst().orElse("none");
        decisions
                .computeIfAbsent(
                        new DecisionKey(dir, action, category, principal.tenantId()),
                        key -> metrics.counter(
                                "warden.guard.decisions",
                                "direction",
                                dir,
                                "action",
                                action,
                                "category",
                                category,
                                "tenant",
                                principal.tenantId()))
                .increment();
        for (Decision.Bypass bypass : decision.bypassed()) {
            log.warn(
                    "tenant {} fails open: {} classifier {} bypassed ({}: {})",
                    principal.tenantId(),
                    dir,
                    bypass.classifier(),
                    bypass.status(),
                    bypass.detail());
            metrics.counter(
                            "warden.guard.bypasses",
                            "direction",
                            dir,
                            "classifier",
                            bypass.classifier(),
                            "status",
                            bypass.status().name().toLowerCase(),
                            "tenant",
                            principal.tenantId())
                    .increment();
        }
    }
}
