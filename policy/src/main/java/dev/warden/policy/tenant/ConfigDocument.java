package dev.warden.policy.tenant;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A YAML configuration file read into a tree, with the line of every field remembered so that a validation error
 * can say where it is. Readers walk it through {@link Node}, which names the field in every message and rejects
 * unknown fields (a misspelt field silently ignored is a policy silently not enforced).
 */
public final class ConfigDocument {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final Path file;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private ConfigDocument(Path file, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    public static ConfigDocument parse(Path file, byte[] content) {
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw new InvalidConfigException(
                    file, at == null ? 0 : at.getLineNr(), null, "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidConfigException(file, 0, null, "the file is empty");
        }
        return new ConfigDocument(file, root, lineIndex(content));
    }

    /** Field path ({@code a.b[2].c}) -> line where it starts, first occurrence wins. */
    private static Map<String, Integer> lineIndex(byte[] content) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(content)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                TokenStreamContext ctx = p.streamReadContext();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    ctx = ctx.getParent();
                }
                lines.putIfAbsent(path(ctx), p.currentTokenLocation().getLineNr());
            }
        } catch (JacksonException e) {
            // readTree accepted the file; a failure here only costs line numbers
        }
        return lines;
    }

    private static String path(TokenStreamContext ctx) {
        List<String> parts = new ArrayList<>();
        for (TokenStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.currentName() != null) {
                parts.add("." + c.currentName());
            }
        }
        StringBuilder s = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) {
            s.append(parts.get(i));
        }
        return s.length() > 0 && s.charAt(0) == '.' ? s.substring(1) : s.toString();
    }

    public Path file() {
        return file;
    }

    public Node root() {
        return new Node(root, "");
    }

    /** A position in the tree. A missing field is a Node too ({@link #present()} false), so optional reads chain. */
    public final class Node {

        private final JsonNode json;
        private final String path;

        private Node(JsonNode json, String path) {
            this.json = json == null ? MissingNode.getInstance() : json;
            this.path = path;
        }

        public String path() {
            return path;
        }

        public boolean present() {
            return !json.isMissingNode() && !json.isNull();
        }

        public boolean isMapping() {
            return json.isObject();
        }

        public InvalidConfigException error(String problem) {
            return new InvalidConfigException(file, line(), path, problem);
        }

        private int line() {
            for (String p = path; !p.isEmpty(); p = parent(p)) {
                Integer line = lines.get(p);
                if (line != null) {
                    return line;
                }
            }
            return 0;
        }

        private static String parent(String p) {
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            return cut <= 0 ? "" : p.substring(0, cut);
        }

        public Node get(String field) {
            requireObject();
            return new Node(json.get(field), path.isEmpty() ? field : path + "." + field);
        }

        /** Fails on any field not in {@code allowed}. */
        public Node allowOnly(Set<String> allowed) {
            if (!present()) {
                return this;
            }
            requireObject();
            for (String name : json.propertyNames()) {
                if (!allowed.contains(name)) {
                    throw get(name)
                            .error("unknown field '" + name + "' (known: "
                                    + String.join(
                                            ", ", allowed.stream().sorted().toList()) + ")");
                }
            }
            return this;
        }

        private void requireObject() {
            if (present() && !json.isObject()) {
                throw error("expected a mapping of fields, got " + kind());
            }
        }

        private String kind() {
            if (json.isArray()) {
                return "a list";
            }
            if (json.isObject()) {
                return "a mapping";
            }
            return "'" + json.asString() + "'";
        }

        /** Field name -> node, in file order; empty when absent. */
        public Map<String, Node> entries() {
            Map<String, Node> entries = new LinkedHashMap<>();
            if (!present()) {
                return entries;
            }
            requireObject();
            for (String name : json.propertyNames()) {
                entries.put(name, get(name));
            }
            return entries;
        }

        /** The elements of a list; a single value counts as a list of one. Empty when absent. */
        public List<Node> list() {
            List<Node> items = new ArrayList<>();
            if (!present()) {
                return items;
            }
            if (!json.isArray()) {
                items.add(this);
                return items;
            }
            for (int i = 0; i < json.size(); i++) {
                items.add(new Node(json.get(i), path + "[" + i + "]"));
            }
            return items;
        }

        public String text() {
            if (!present()) {
                throw error("is required");
            }
            if (json.isContainer()) {
                throw error("expected a single value, got " + kind());
            }
            String text = json.asString().trim();
            if (text.isEmpty()) {
                throw error("must not be empty");
            }
            return text;
        }

        /**
         * A name or digest that must be kept exactly as written: audit records carry it. YAML reads an unquoted
         * {@code 5e660614} (a key id of 8 hex digits) as a floating-point number and {@code 00000123} as 123, and
         * the text is lost either way, so a value YAML takes for a number or a boolean must be quoted.
         */
        public String identifier(String fallback) {
            if (present() && (json.isNumber() || json.isBoolean())) {
                throw error("is read by YAML as " + (json.isBoolean() ? "the boolean " : "the number ")
                        + json.asString() + ", not as text; put the value in quotes");
            }
            return text(fallback);
        }

        public Optional<String> optionalText() {
            return present() ? Optional.of(text()) : Optional.empty();
        }

        /** The value, or {@code fallback} when absent or blank. */
        public String text(String fallback) {
            return present() && !(json.isString() && json.asString().isBlank()) ? text() : fallback;
        }

        public long longValue(long fallback, long min, long max) {
            if (!present()) {
                return fallback;
            }
            long value;
            if (json.isIntegralNumber()) {
                value = json.asLong();
            } else {
                try {
                    value = Long.parseLong(text().replace("_", ""));
                } catch (NumberFormatException e) {
                    throw error("expected a whole number, got " + kind());
                }
            }
            if (value < min || value > max) {
                throw error("must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }

        public int intValue(int fallback, int min, int max) {
            return (int) longValue(fallback, min, max);
        }

        public double doubleValue(double fallback, double min, double max) {
            if (!present()) {
                return fallback;
            }
            double value;
            if (json.isNumber()) {
                value = json.asDouble();
            } else {
                try {
                    value = Double.parseDouble(text());
                } catch (NumberFormatException e) {
                    throw error("expected a number, got " + kind());
                }
            }
            if (!(value >= min && value <= max)) {
                throw error("must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }

        /** {@code true/false}, also {@code yes/no} and {@code on/off} since YAML 1.1 habits die hard. */
        public boolean bool(boolean fallback) {
            if (!present()) {
                return fallback;
            }
            if (json.isBoolean()) {
                return json.booleanValue();
            }
            return switch (text().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw error("expected true or false, got " + kind());
            };
        }

        /** An ISO-8601 instant ({@code 2026-01-15T10:00:00Z}) or a date (midnight UTC). */
        public Instant instant() {
            String text = text();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e2) {
                    throw error("expected an ISO-8601 time such as 2026-01-15T10:00:00Z, got '" + text + "'");
                }
            }
        }

        public <E extends Enum<E>> E enumValue(Class<E> type, E fallback) {
            if (!present()) {
                return fallback;
            }
            String text = text().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                return Enum.valueOf(type, text);
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E c : type.getEnumConstants()) {
                    names.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                }
                throw error("expected one of " + String.join(", ", names) + ", got '" + text() + "'");
            }
        }
    }
}
