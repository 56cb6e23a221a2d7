package dev.warden.policy.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The "Tenants file" part of docs/CONFIGURATION.md documents every field {@link TenantFile} accepts: unknown fields
 * are refused, so a field the page leaves out is one an operator cannot find, and one the page names that the
 * parser does not know is refused at load. Fields documented as table rows ({@code audit.legal-hold} or
 * {@code sha256}) must have a row; those documented in prose (licence acceptances, purposes, rules) must appear in
 * code in their subsection.
 */
class TenantFileReferenceTest {

    static final Path PAGE = Path.of("../docs/CONFIGURATION.md");

    /** Where each part of {@link TenantFile#SCHEMA} is documented: its subsection, and whether as table rows. */
    private record Place(String heading, boolean rows) {}

    private static final Map<String, Place> PLACES = Map.ofEntries(
            Map.entry("tenant", new Place("Tenant", true)),
            Map.entry("licences[]", new Place("Licence acceptance", false)),
            Map.entry("purposes[]", new Place("Tenant", false)),
            Map.entry("guard", new Place("Guard", true)),
            Map.entry("guard rule", new Place("Guard", false)),
            Map.entry("streaming", new Place("Streaming", true)),
            Map.entry("limits", new Place("Limits", false)),
            Map.entry("limit set", new Place("Limits", true)),
            Map.entry("limits.files-and-batches", new Place("Limits", false)),
            Map.entry("audit", new Place("Audit", true)),
            Map.entry("keys[]", new Place("Keys", true)));

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void everyFieldOfTheTenantsFileIsDocumented() throws IOException {
        assertThat(PLACES.keySet())
                .as("a part of the tenants file this test does not know where the page documents")
                .isEqualTo(TenantFile.SCHEMA.keySet());
        assertThat(undocumented(Files.readString(PAGE))).isEmpty();
    }

    @Test
    void everyTenantsFileRowIsAFieldTheParserAccepts() throws IOException {
        String page = Files.readString(PAGE);
        Set<String> stray = new TreeSet<>();
        for (Map.Entry<String, Place> part : PLACES.entrySet()) {
            if (!part.getValue().rows()) {
                continue;
            }
            String prefix = part.getKey().endsWith("[]") ? "" : part.getKey() + ".";
            for (String row : rowNames(subsection(page, part.getValue().heading()))) {
                String field = row.startsWith(prefix) ? row.substring(prefix.length()) : row;
                boolean known = PLACES.entrySet().stream()
                        .filter(p ->
                                p.getValue().heading().equals(part.getValue().heading()))
                        .anyMatch(p -> TenantFile.SCHEMA.get(p.getKey()).contains(field));
                if (!known) {
                    stray.add(part.getValue().heading() + ": " + row);
                }
            }
        }
        assertThat(stray)
                .as("rows of the page's Tenants file subsections naming a field the parser refuses")
                .isEmpty();
    }

    @Test
    void aRowLeftOutIsNoticed() throws IOException {
        String page = Files.readString(PAGE);
        String row = page.lines()
                .filter(l -> l.startsWith("| `streaming.window-ms` |"))
                .findFirst()
                .orElseThrow();
        assertThat(undocumented(page.replace(row + "\n", ""))).containsExactly("streaming: window-ms");
    }

    /** Fields of {@link TenantFile#SCHEMA} the page does not document where {@link #PLACES} says. */
    private static Set<String> undocumented(String page) {
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, Set<String>> part : TenantFile.SCHEMA.entrySet()) {
            Place place = PLACES.get(part.getKey());
            String section = subsection(page, place.heading());
            String prefix = part.getKey() + ".";
            for (String field : part.getValue()) {
                boolean documented = place.rows()
                        ? rowNames(section).contains(field) || rowNames(section).contains(prefix + field)
                        : inCode(section, field);
                if (!documented) {
                    missing.add(part.getKey() + ": " + field);
                }
            }
        }
        return missing;
    }

    /** The text of "### heading" under "## Tenants file", up to the next heading or rule. */
    private static String subsection(String page, String heading) {
        String tenants = page.substring(page.indexOf("\n## Tenants file\n"));
        int start = tenants.indexOf("\n### " + heading + "\n");
        assertThat(start).as("subsection '### %s' of the Tenants file", heading).isNotNegative();
        String rest = tenants.substring(start + heading.length() + 6);
        Matcher end = Pattern.compile("\n(#|---)").matcher(rest);
        return end.find() ? rest.substring(0, end.start()) : rest;
    }

    /** The names in code in the first cell of each table row. */
    private static Set<String> rowNames(String section) {
        Set<String> names = new TreeSet<>();
        for (String line : section.lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            Matcher code = CODE.matcher(line.substring(1, line.indexOf('|', 1)));
            while (code.find()) {
                names.add(code.group(1));
            }
        }
        return names;
    }

    /** Whether {@code field} is a whole word of some code span of the section ({@code {name, derivative-model}}). */
    private static boolean inCode(String section, String field) {
        Pattern word = Pattern.compile("(?<![a-z0-9-])" + Pattern.quote(field) + "(?![a-z0-9-])");
        Matcher code = CODE.matcher(section);
        List<String> spans = code.results().map(m -> m.group(1)).toList();
        return spans.stream().anyMatch(s -> word.matcher(s).find());
    }
}
