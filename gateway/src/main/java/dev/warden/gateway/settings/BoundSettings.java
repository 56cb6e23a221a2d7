package dev.warden.gateway.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code warden.*} settings the gateway binds, as Spring Boot's configuration processor lists them at compile
 * time in {@code META-INF/spring-configuration-metadata.json} (every {@code @ConfigurationProperties} record,
 * nested records included).
 *
 * <p>The processor does not look inside list elements ({@code warden.models}, {@code warden.admin.keys}), so those
 * are expanded here from their record components and named with {@code []} for the index, as docs/CONFIGURATION.md
 * writes them: {@code warden.models[].llama-cpp.gguf}. A setting of Map type is named once; the keys under it are
 * the operator's own.
 */
public final class BoundSettings {

    static final String METADATA = "META-INF/spring-configuration-metadata.json";
    private static final String PREFIX = "warden.";
    private static final Pattern INDEX = Pattern.compile("\\[[^]]*]");
    /** More edits than this and a known setting is no longer a likely spelling of the key. */
    private static final int MAX_EDITS = 3;

    private final Set<String> names;
    private final Set<String> maps;
    private final Map<String, String> recordTypes;
    private final ClassLoader loader;
    private final Set<String> uniformNames = new TreeSet<>();
    private final Set<String> uniformMaps = new TreeSet<>();
    private final Set<String> uniformGroups = new TreeSet<>();

    private BoundSettings(Set<String> names, Set<String> maps, Map<String, String> recordTypes, ClassLoader loader) {
        this.names = Collections.unmodifiableSet(names);
        this.maps = Collections.unmodifiableSet(maps);
        this.recordTypes = Collections.unmodifiableMap(recordTypes);
        this.loader = loader;
        for (String name : names) {
            String uniform = uniform(name);
            uniformNames.add(uniform);
            for (int i = 0; i < uniform.length(); i++) {
                if (uniform.charAt(i) == '.' || uniform.charAt(i) == '[') {
                    uniformGroups.add(uniform.substring(0, i));
                }
            }
        }
        maps.forEach(m -> uniformMaps.add(uniform(m)));
    }

    /** The settings in the metadata on {@code loader}'s class path (only the {@code warden.*} ones of every copy). */
    public static BoundSettings read(ClassLoader loader) {
        Set<String> names = new TreeSet<>();
        Set<String> maps = new TreeSet<>();
        Map<String, String> recordTypes = new TreeMap<>();
        JsonMapper json = JsonMapper.builder().build();
        try {
            for (URL url : Collections.list(loader.getResources(METADATA))) {
                JsonNode metadata;
                try (InputStream in = url.openStream()) {
                    metadata = json.readTree(in);
                }
                for (JsonNode group : metadata.path("groups")) {
                    String name = group.get("name").asString();
                    // "warden" itself is WardenProperties
                    if ((name.startsWith(PREFIX) || name.equals("warden")) && !group.has("sourceMethod")) {
                        recordTypes.put(name, group.get("type").asString());
                    }
                }
                for (JsonNode property : metadata.path("properties")) {
                    String name = property.get("name").asString();
                    if (name.startsWith(PREFIX)) {
                        add(name, property.path("type").asString(""), loader, names, maps);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + METADATA, e);
        }
        return new BoundSettings(names, maps, recordTypes, loader);
    }

    private static void add(String name, String type, ClassLoader loader, Set<String> names, Set<String> maps) {
        names.add(name);
        if (type.startsWith("java.util.Map<")) {
            maps.add(name);
        } else if (type.startsWith("java.util.List<") && type.endsWith(">")) {
            String element = type.substring("java.util.List<".length(), type.length() - 1);
            if (element.startsWith("dev.warden.")) {
                Class<?> record = load(element, loader);
                if (record.isRecord()) {
                    names.remove(name);
                    expand(name + "[].", record, names, maps);
                }
            }
        }
    }

    /** The settings of one record, under {@code prefix}: nested records and lists of records recursively. */
    private static void expand(String prefix, Class<?> type, Set<String> names, Set<String> maps) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + kebab(c.getName());
            Class<?> raw = c.getType();
            if (raw.isRecord()) {
                expand(name + ".", raw, names, maps);
            } else if (List.class.isAssignableFrom(raw)
                    && c.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> element
                    && element.isRecord()) {
                expand(name + "[].", element, names, maps);
            } else {
                names.add(name);
                if (Map.class.isAssignableFrom(raw)) {
                    maps.add(name);
                }
            }
        }
    }

    /**
     * Every setting, list elements expanded ({@code warden.models[].name}); a Map setting by its own name, a list
     * of records only through its elements.
     */
    public Set<String> names() {
        return names;
    }

    /** The settings of Map type: any key under one of them is bound. */
    public Set<String> maps() {
        return maps;
    }

    /**
     * Each top-level {@code @ConfigurationProperties} prefix and the record bound there; loaded when asked, since the
     * start-up check needs only the names.
     */
    public Map<String, Class<?>> records() {
        Map<String, Class<?>> records = new TreeMap<>();
        recordTypes.forEach((prefix, type) -> records.put(prefix, load(type, loader)));
        return records;
    }

    /**
     * Whether Spring binds {@code key} as a property source names it ({@code warden.models[0].llama-cpp.gguf},
     * {@code warden.guard.promptGuard.dir}): relaxed binding's spellings of a setting, any index of a list, any key
     * under a Map setting.
     */
    public boolean binds(String key) {
        String uniform = uniform(key);
        if (uniformNames.contains(uniform)) {
            return true;
        }
        // a list of plain values: warden.models[0].remote.urls[1]
        String unindexed = uniform;
        while (unindexed.endsWith("[]")) {
            unindexed = unindexed.substring(0, unindexed.length() - 2);
            if (uniformNames.contains(unindexed)) {
                return true;
            }
        }
        for (String map : uniformMaps) {
            if (uniform.startsWith(map + ".") || uniform.startsWith(map + "[")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code key} names a group of settings ({@code warden.guard}, {@code warden.models[0]}) rather than a
     * setting: YAML writes an empty block ({@code guard: {}}, {@code models: []}) as such a key with an empty value.
     */
    public boolean groups(String key) {
        String uniform = uniform(key);
        while (uniform.endsWith("[]")) {
            uniform = uniform.substring(0, uniform.length() - 2);
        }
        return uniformGroups.contains(uniform);
    }

    /**
     * The bound setting a few edits away from {@code key}, written with the key's own list indices
     * ({@code warden.models[0].llama-cpp.gguf} for {@code warden.models[0].llama-cpp.guff}); empty when none is
     * close.
     */
    public Optional<String> nearest(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        String unindexed = INDEX.matcher(lower).replaceAll("[]");
        int limit = Math.min(MAX_EDITS, (lower.length() - PREFIX.length()) / 4);
        LevenshteinDistance distance = new LevenshteinDistance(limit);
        // -1: more than the limit away
        return names.stream()
                .map(name -> Map.entry(name, distance.apply(name, unindexed)))
                .filter(e -> e.getValue() >= 0)
                .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> withIndices(e.getKey(), lower));
    }

    /** {@code name}'s {@code []} filled with the indices {@code key} gives, in order. */
    private static String withIndices(String name, String key) {
        Matcher indices = INDEX.matcher(key);
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int at = name.indexOf("[]"); at >= 0; at = name.indexOf("[]", from)) {
            sb.append(name, from, at).append(indices.find() ? indices.group() : "[]");
            from = at + 2;
        }
        return sb.append(name.substring(from)).toString();
    }

    /**
     * A name as Spring compares it: each element in its uniform form (lower case, no dashes, so {@code promptGuard},
     * {@code prompt-guard} and {@code prompt_guard} are one), every list index {@code []}.
     */
    private static String uniform(String key) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key.replace("[]", "[0]"), '.');
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            if (name.isNumericIndex(i)) {
                sb.append("[]");
            } else {
                // a bracketed key ([some.key] under a Map setting) reads as a dotted one
                if (i > 0) {
                    sb.append('.');
                }
                sb.append(name.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
            }
        }
        return sb.toString();
    }

    /** {@code defaultMaxTokens} is {@code default-max-tokens}, as Spring's relaxed binding names it. */
    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** A class by the name the metadata gives: nested classes may be written with {@code .} or {@code $}. */
    public static Class<?> load(String name, ClassLoader loader) {
        String candidate = name;
        while (true) {
            try {
                return Class.forName(candidate, false, loader);
            } catch (ClassNotFoundException e) {
                int dot = candidate.lastIndexOf('.');
                if (dot < 0) {
                    throw new IllegalStateException("no class " + name + " for " + METADATA, e);
                }
                candidate = candidate.substring(0, dot) + '$' + candidate.substring(dot + 1);
            }
        }
    }
}
