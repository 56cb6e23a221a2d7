package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.settings.BoundSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;

/**
 * docs/CONFIGURATION.md is what operators configure Warden from, so every {@code warden.*} setting the gateway binds
 * has a row there, and every {@code warden.*} row is a setting the gateway binds: a setting nobody can find is a
 * support ticket, a documented one that is bound nowhere is a silent misconfiguration.
 *
 * <p>The bound settings are {@link BoundSettings}: Spring Boot's configuration metadata, written at compile time by
 * the configuration processor from every {@code @ConfigurationProperties} class, with list elements expanded from
 * their record components as the page writes them: {@code warden.models[].llama-cpp.gguf} (the start-up check of
 * unknown keys reads the same). On the page, a
 * table whose first header reads "Setting (under `warden.models[N].llama-cpp.`)" names its settings relative to
 * that prefix. Where a row's default is what the properties record itself fills in, the page must state that value.
 */
class ConfigurationReferenceTest {

    static final Path PAGE = Path.of("../docs/CONFIGURATION.md");
    private static final BoundSettings BOUND = BoundSettings.read(ConfigurationReferenceTest.class.getClassLoader());
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern UNDER = Pattern.compile("under `([^`]+)`");
    private static final Pattern LEADING_CODE = Pattern.compile("^`([^`]+)`");

    @Test
    void everyBoundSettingHasARowOnThePage() throws IOException {
        Set<String> documented = documented(Files.readString(PAGE));
        Set<String> missing = new TreeSet<>(bound());
        missing.removeAll(documented);
        assertThat(missing)
                .as("warden.* settings the gateway binds with no row in docs/CONFIGURATION.md")
                .isEmpty();
    }

    @Test
    void everyDocumentedSettingIsBound() throws IOException {
        Set<String> stray = new TreeSet<>(documented(Files.readString(PAGE)));
        stray.removeAll(bound());
        assertThat(stray)
                .as("rows of docs/CONFIGURATION.md naming a warden.* setting that nothing binds")
                .isEmpty();
    }

    @Test
    void aRowLeftOutIsNoticed() throws IOException {
        String page = Files.readString(PAGE);
        String row =
                page.lines().filter(l -> l.startsWith("| `gguf` |")).findFirst().orElseThrow();
        Set<String> documented = documented(page.replace(row + "\n", ""));
        assertThat(bound()).contains("warden.models[].llama-cpp.gguf");
        assertThat(documented)
                .contains("warden.models[].llama-cpp.slots")
                .doesNotContain("warden.models[].llama-cpp.gguf");
    }

    @Test
    void listElementsAreExpandedFromTheirRecords() {
        assertThat(bound())
                .contains(
                        "warden.models[].name",
                        "warden.models[].remote.breaker.wait-in-open",
                        "warden.admin.keys[].grants",
                        "warden.guard.encoder.queued-windows-per-tenant",
                        "warden.batch.retention.sweep-interval")
                .doesNotContain("warden.models", "warden.admin.keys");
    }

    /**
     * A Default cell that begins with a value in code ({@code `10s`}, {@code `4MB`}) states what the properties
     * record holds when nothing is configured. Defaults applied later, by the code that reads the record (it holds
     * null then), are not checked here, nor cells that begin in words ("the cores, at most `2`").
     */
    @Test
    void everyDefaultThePropertiesRecordsHoldIsThePagesDefault() throws IOException {
        Map<String, String> rows = rows(Files.readString(PAGE));
        Map<String, Object> unconfigured = new TreeMap<>();
        Binder nothing = new Binder(new MapConfigurationPropertySource(Map.of()));
        BOUND.records().forEach((prefix, record) -> unconfigured.put(prefix, nothing.bindOrCreate(prefix, record)));
        Set<String> compared = new TreeSet<>();
        Set<String> wrong = new TreeSet<>();
        for (Map.Entry<String, String> row : rows.entrySet()) {
            Matcher literal = LEADING_CODE.matcher(row.getValue());
            if (row.getKey().contains("[]") || !literal.find()) {
                continue;
            }
            String prefix = unconfigured.keySet().stream()
                    .filter(p -> row.getKey().startsWith(p + "."))
                    .max(Comparator.comparingInt(String::length))
                    .orElseThrow();
            Object value = read(unconfigured.get(prefix), row.getKey().substring(prefix.length() + 1));
            if (value == null) {
                continue;
            }
            compared.add(row.getKey());
            Object documented = value instanceof Path
                    ? Path.of(literal.group(1))
                    : ApplicationConversionService.getSharedInstance().convert(literal.group(1), value.getClass());
            if (!value.equals(documented)) {
                wrong.add(row.getKey() + ": the page says `" + literal.group(1) + "`, the code " + value);
            }
        }
        assertThat(wrong).as("defaults the page misstates").isEmpty();
        assertThat(compared)
                .contains(
                        "warden.max-body-size",
                        "warden.server.header-timeout",
                        "warden.batch.retention.sweep-interval",
                        "warden.guard.encoder.max-wait",
                        "warden.guard.rules.enabled",
                        "warden.tracing.sampling-probability");
    }

    /** The value at a dotted kebab-case path of nested records, e.g. {@code retention.sweep-interval}. */
    private static Object read(Object record, String path) {
        Object value = record;
        for (String segment : path.split("\\.")) {
            if (value == null) {
                return null;
            }
            String accessor = Pattern.compile("-([a-z0-9])").matcher(segment).replaceAll(m -> m.group(1)
                    .toUpperCase(Locale.ROOT));
            try {
                value = value.getClass().getMethod(accessor).invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("no " + accessor + "() on " + value.getClass() + " for " + path, e);
            }
        }
        return value;
    }

    /** Full names of the {@code warden.*} settings in the first cell of the page's table rows. */
    static Set<String> documented(String page) {
        return rows(page).keySet();
    }

    /**
     * The page's {@code warden.*} rows: full name to the row's Default cell (empty where the table has no Default
     * column).
     */
    static Map<String, String> rows(String page) {
        Map<String, String> rows = new TreeMap<>();
        List<String> lines = page.lines().toList();
        String prefix = "";
        int defaultColumn = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("|")) {
                prefix = "";
                continue;
            }
            List<String> cells = cells(line);
            boolean header = i + 1 < lines.size() && lines.get(i + 1).startsWith("|---");
            if (header) {
                Matcher under = UNDER.matcher(cells.get(0));
                prefix = under.find() ? under.group(1) : "";
                defaultColumn = cells.indexOf("Default");
                continue;
            }
            if (line.startsWith("|---")) {
                continue;
            }
            Matcher code = CODE.matcher(cells.get(0));
            while (code.find()) {
                String name = (prefix + code.group(1)).replaceAll("\\[N]", "[]");
                if (name.startsWith("warden.")) {
                    rows.put(name, defaultColumn < 0 ? "" : cells.get(defaultColumn));
                }
            }
        }
        return rows;
    }

    /** The cells of a table row, trimmed; {@code \|} inside a cell is not a column break. */
    private static List<String> cells(String line) {
        String[] parts = line.substring(1).split("(?<!\\\\)\\|", -1);
        return Arrays.stream(parts, 0, parts.length - 1).map(String::strip).toList();
    }

    /** Every setting the gateway binds, list elements expanded ({@link BoundSettings}, shared with the start). */
    static Set<String> bound() {
        assertThat(BOUND.names())
                .as(BoundSettings.class.getSimpleName()
                        + " reads META-INF/spring-configuration-metadata.json (spring-boot-configuration-processor"
                        + " in gateway/pom.xml)")
                .isNotEmpty();
        return BOUND.names();
    }
}
