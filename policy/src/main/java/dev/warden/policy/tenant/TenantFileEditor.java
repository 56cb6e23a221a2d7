package dev.warden.policy.tenant;

import dev.warden.policy.licence.LicenceCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Adds a key to a tenant in the tenants file by editing the text in place, so the operator's comments and layout
 * survive (re-serialising the tree would drop every comment). Positions come from the YAML parser; the result is
 * validated before it replaces the file, and the replacement is an atomic rename so a watcher never reads half a
 * file.
 */
public final class TenantFileEditor {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final LicenceCatalog licences;

    public TenantFileEditor(LicenceCatalog licences) {
        this.licences = licences;
    }

    /** Generates a key for {@code tenantId}, stores its hash in {@code file} and returns the clear key (show it once). */
    public String createKey(Path file, String tenantId, String label) {
        String key = ApiKeys.generate();
        String sha = ApiKeys.hash(key);
        addKey(
                file,
                tenantId,
                new ApiKey(
                        ApiKeys.keyId(sha),
                        label == null ? "" : label,
                        sha,
                        Instant.now().truncatedTo(ChronoUnit.SECONDS),
                        null));
        return key;
    }

    public void addKey(Path file, String tenantId, ApiKey key) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String edited = withKey(file, text, tenantId, key);
        List<Tenant> tenants = new TenantFile(licences).read(file, edited.getBytes(StandardCharsets.UTF_8));
        boolean stored = tenants.stream()
                .filter(t -> t.id().equals(tenantId))
                .flatMap(t -> t.keys().stream())
                .anyMatch(k -> k.sha256().equals(key.sha256()));
        if (!stored) {
            throw new IllegalStateException("the edit of " + file + " did not produce the key; file left unchanged");
        }
        writeAtomically(file, edited);
    }

    static String withKey(Path file, String text, String tenantId, ApiKey key) {
        Lines lines = new Lines(text);
        try (JsonParser p = YAML.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidConfigException(file, 1, null, "expected a mapping with 'tenants'");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("tenants") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String edited = editTenant(file, p, lines, tenantId, key);
                        if (edited != null) {
                            return edited;
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        throw new IllegalArgumentException("no tenant with id '" + tenantId + "' in " + file);
    }

    /** With the parser on a tenant's START_OBJECT: the edited text if this is the tenant, else null (tenant skipped). */
    private static String editTenant(Path file, JsonParser p, Lines lines, String tenantId, ApiKey key) {
        TokenStreamLocation start = p.currentTokenLocation();
        String id = null;
        int keysName = -1;
        JsonToken keysToken = null;
        int keysStart = -1;
        int keysEnd = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            int nameOffset = lines.offset(p.currentTokenLocation());
            JsonToken value = p.nextToken();
            if (name.equals("id") && value.isScalarValue()) {
                id = p.getString();
            } else if (name.equals("keys")) {
                keysName = nameOffset;
                keysToken = value;
                keysStart = lines.offset(p.currentTokenLocation());
                p.skipChildren();
                keysEnd = lines.offset(p.currentTokenLocation());
            } else {
                p.skipChildren();
            }
        }
        if (!tenantId.equals(id)) {
            return null;
        }
        String text = lines.text;
        int mapStart = lines.offset(start);
        if (text.charAt(mapStart) == '{') {
            throw new InvalidConfigException(
                    file,
                    start.getLineNr(),
                    "tenants." + tenantId,
                    "this tenant is written in flow style ({...}); add the key by hand: " + entry(key, "", ""));
        }
        String indent = " ".repeat(lines.column(mapStart));
        if (keysToken == null) {
            // No keys yet: put "keys:" first in the tenant's mapping; the original first field moves to the next line.
            return text.substring(0, mapStart) + "keys:\n" + entry(key, indent + "  ", "\n") + indent
                    + text.substring(mapStart);
        }
        if (keysToken == JsonToken.START_ARRAY && text.charAt(keysStart) == '-') {
            int lineStart = lines.lineStart(keysStart);
            String itemIndent = " ".repeat(lines.column(keysStart));
            return text.substring(0, lineStart) + entry(key, itemIndent, "\n") + text.substring(lineStart);
        }
        // "keys: []" or "keys:" with nothing: replace the value with a block list.
        int colon = text.indexOf(':', keysName);
        int valueEnd = keysToken == JsonToken.START_ARRAY ? text.indexOf(']', keysEnd) + 1 : lines.lineEnd(colon);
        return text.substring(0, colon + 1) + "\n"
                + entry(key, indent + "  ", "").stripTrailing() + text.substring(valueEnd);
    }

    private static String entry(ApiKey key, String indent, String end) {
        StringBuilder s = new StringBuilder();
        // Quoted: an id or digest like 5e660614 would otherwise be read back as a number.
        s.append(indent).append("- id: ").append(quote(key.id())).append('\n');
        if (!key.label().isEmpty()) {
            s.append(indent).append("  label: ").append(quote(key.label())).append('\n');
        }
        s.append(indent).append("  sha256: ").append(quote(key.sha256())).append('\n');
        if (key.created() != null) {
            s.append(indent).append("  created: ").append(key.created()).append('\n');
        }
        return end.isEmpty() ? s.toString() : s.toString().stripTrailing() + end;
    }

    private static String quote(String value) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> s.append(c < 0x20 ? ' ' : c);
            }
        }
        return s.append('"').toString();
    }

    static void writeAtomically(Path file, String content) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Maps the parser's 1-based line and column to offsets in the text. */
    private static final class Lines {
        final String text;
        final List<Integer> starts = new ArrayList<>();

        Lines(String text) {
            this.text = text;
            starts.add(0);
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    starts.add(i + 1);
                }
            }
        }

        int offset(TokenStreamLocation at) {
            return starts.get(at.getLineNr() - 1) + at.getColumnNr() - 1;
        }

        int lineStart(int offset) {
            return text.lastIndexOf('\n', offset - 1) + 1;
        }

        int lineEnd(int offset) {
            int nl = text.indexOf('\n', offset);
            return nl < 0 ? text.length() : nl;
        }

        int column(int offset) {
            return offset - lineStart(offset);
        }
    }
}
