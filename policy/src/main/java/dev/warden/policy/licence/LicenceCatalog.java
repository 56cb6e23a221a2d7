package dev.warden.policy.licence;

import dev.warden.guard.HazardCategory;
import dev.warden.policy.decision.Action;
import dev.warden.policy.decision.LabelRule;
import dev.warden.policy.tenant.ConfigDocument;
import dev.warden.policy.tenant.InvalidConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The licence descriptors the gateway knows, by id. */
public final class LicenceCatalog {

    private static final Set<String> FIELDS = Set.of(
            "id",
            "version",
            "name",
            "url",
            "attribution",
            "derivative-name-prefix",
            "monthly-active-users-limit",
            "notice",
            "regions",
            "acceptable-use");

    private final Map<String, LicenceDescriptor> licences;
    /** The descriptor files as read, by file name (sorted); empty for a catalog built in code. */
    private final Map<String, String> sources;

    private LicenceCatalog(Map<String, LicenceDescriptor> licences) {
        this(licences, Map.of());
    }

    private LicenceCatalog(Map<String, LicenceDescriptor> licences, Map<String, String> sources) {
        this.licences = Map.copyOf(licences);
        this.sources = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sources));
    }

    public static LicenceCatalog empty() {
        return new LicenceCatalog(Map.of());
    }

    /**
     * The descriptor files this catalog was loaded from, file name to text, sorted by name: part of the policy in
     * force, recorded with every audit record's policy version. Empty when the catalog was built in code.
     */
    public Map<String, String> sources() {
        return sources;
    }

    public static LicenceCatalog of(Collection<LicenceDescriptor> licences) {
        Map<String, LicenceDescriptor> byId = new LinkedHashMap<>();
        for (LicenceDescriptor l : licences) {
            if (byId.put(l.id(), l) != null) {
                throw new IllegalArgumentException("two licences with id " + l.id());
            }
        }
        return new LicenceCatalog(byId);
    }

    /** Loads every {@code *.yaml} / {@code *.yml} in {@code directory}; any invalid file fails the whole load. */
    public static LicenceCatalog load(Path directory) {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(
                            p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list licence descriptors in " + directory, e);
        }
        Map<String, LicenceDescriptor> byId = new HashMap<>();
        Map<String, String> sources = new HashMap<>();
        for (Path file : files) {
            LicenceDescriptor licence = read(file);
            try {
                sources.put(file.getFileName().toString(), Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read licence descriptor " + file, e);
            }
            LicenceDescriptor before = byId.put(licence.id(), licence);
            if (before != null) {
                throw new InvalidConfigException(
                        file,
                        0,
                        "id",
                        "licence id '" + licence.id() + "' is already defined by another file in " + directory);
            }
        }
        return new LicenceCatalog(byId, sources);
    }

    public static LicenceDescriptor read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read licence descriptor " + file, e);
        }
        ConfigDocument.Node root = ConfigDocument.parse(file, content).root().allowOnly(FIELDS);
        String id = root.get("id").text();
        ConfigDocument.Node regions = root.get("regions").allowOnly(Set.of("eu-multimodal-restricted"));
        ConfigDocument.Node aup = root.get("acceptable-use").allowOnly(Set.of("threshold", "categories"));
        double threshold = aup.get("threshold").doubleValue(0.5, 0.0, 1.0);
        Map<String, LabelRule> defaults = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigDocument.Node> e :
                aup.get("categories").entries().entrySet()) {
            String code = e.getKey();
            if (HazardCategory.fromCode(code).isEmpty()) {
                throw e.getValue().error("not a hazard category (S1 ... S14)");
            }
            Action action = e.getValue().enumValue(Action.class, null);
            if (action == Action.REDACT) {
                throw e.getValue().error("redact applies to PII and secret labels, not to hazard categories");
            }
            defaults.put(code, new LabelRule(code, action, threshold, id + " AUP default"));
        }
        return new LicenceDescriptor(
                id,
                root.get("version").text(),
                root.get("name").text(id),
                root.get("url").text(""),
                root.get("attribution").text(""),
                root.get("derivative-name-prefix").text(""),
                root.get("monthly-active-users-limit").longValue(0, 0, Long.MAX_VALUE),
                root.get("notice").text(""),
                regions.get("eu-multimodal-restricted").bool(false),
                defaults);
    }

    public Optional<LicenceDescriptor> get(String id) {
        return Optional.ofNullable(licences.get(id));
    }

    public Collection<LicenceDescriptor> all() {
        return licences.values();
    }

    public boolean isEmpty() {
        return licences.isEmpty();
    }
}
