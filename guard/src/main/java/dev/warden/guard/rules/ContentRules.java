package dev.warden.guard.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data and secrets in text with patterns plus validation, so that "looks like" is not enough:
 * cards must pass Luhn and belong to an issuer range, IBANs must pass mod-97 at their country's length, SSNs must
 * use assignable numbers, generic keys must look random. When detections overlap, the more specific label wins
 * (private key, API key, card, IBAN, SSN, e-mail, phone, in that order), then the longer span.
 * Thread-safe; patterns are written to run in linear time.
 */
public final class ContentRules {

    public static final String EMAIL = "pii.email";
    public static final String PHONE = "pii.phone";
    public static final String CARD = "pii.card";
    public static final String IBAN = "pii.iban";
    public static final String SSN = "pii.ssn";
    public static final String API_KEY = "secret.api_key";
    public static final String PRIVATE_KEY = "secret.private_key";

    /** All labels, most specific first. */
    public static final List<String> LABELS = List.of(PRIVATE_KEY, API_KEY, CARD, IBAN, SSN, EMAIL, PHONE);

    private interface Rule {
        void find(String text, List<Detection> out);
    }

    private final List<Rule> rules = List.of(privateKeys(), apiKeys(), cards(), ibans(), ssns(), emails(), phones());

    /** Detections in text order, without overlaps. */
    public List<Detection> scan(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Detection> found = new ArrayList<>();
        for (Rule rule : rules) {
            rule.find(text, found);
        }
        found.sort(Comparator.comparingInt((Detection d) -> LABELS.indexOf(d.label()))
                .thenComparing(Comparator.comparingInt(Detection::length).reversed())
                .thenComparingInt(Detection::start));
        List<Detection> kept = new ArrayList<>();
        for (Detection d : found) {
            if (kept.stream().noneMatch(d::overlaps)) {
                kept.add(d);
            }
        }
        kept.sort(Comparator.comparingInt(Detection::start));
        return kept;
    }

    // --- secrets ---

    /** PEM private keys; a BEGIN without END (a cut-off stream, a pasted fragment) runs to the end of the text. */
    private static Rule privateKeys() {
        Pattern begin = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----");
        Pattern end = Pattern.compile("-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----");
        return (text, out) -> {
            Matcher b = begin.matcher(text);
            int from = 0;
            while (from < text.length() && b.find(from)) {
                Matcher e = end.matcher(text);
                int stop = e.find(b.end()) ? e.end() : text.length();
                out.add(new Detection(PRIVATE_KEY, b.start(), stop));
                from = stop;
            }
        };
    }

    private static Rule apiKeys() {
        List<Pattern> vendor = List.of(
                // OpenAI: sk-..., sk-proj-..., sk-svcacct-..., sk-admin-...
                Pattern.compile("(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
                // AWS access key ids
                Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
                // GitHub tokens
                Pattern.compile("(?<![A-Za-z0-9_])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])"),
                Pattern.compile("(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{60,255}"),
                // Slack tokens
                Pattern.compile("(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,}"));
        // generic: a bearer token or a value assigned to a key-ish name; only the value is flagged, and only if
        // it looks random, so "password: correcthorse" or "token = undefined" are left alone
        Pattern assigned = Pattern.compile(
                "(?i)(?:\\bbearer\\s+|\\b(?:api[_-]?key|access[_-]?token|auth[_-]?token|secret[_-]?key|client[_-]?secret|"
                        + "token|secret|password|passwd)[\"']?\\s*[:=]\\s*[\"']?)([A-Za-z0-9._~+/=-]{20,512})");
        return (text, out) -> {
            for (Pattern p : vendor) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    out.add(new Detection(API_KEY, m.start(), m.end()));
                }
            }
            Matcher m = assigned.matcher(text);
            while (m.find()) {
                String value = m.group(1);
                if (looksRandom(value)) {
                    out.add(new Detection(API_KEY, m.start(1), m.end(1)));
                }
            }
        };
    }

    static boolean looksRandom(String value) {
        boolean letters = value.chars().anyMatch(Character::isLetter);
        boolean digits = value.chars().anyMatch(Character::isDigit);
        return letters && digits && Checksums.entropy(value) >= 3.5;
    }

    // --- financial and national identifiers ---

    private static Rule cards() {
        Pattern candidate = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){11,22}(?!\\d)");
        return (text, out) -> {
            Matcher m = candidate.matcher(text);
            while (m.find()) {
                // try the whole run, then shorter runs ending at a separator (a card followed by other digits)
                for (int end = m.end(); end > m.start(); end = lastSeparator(text, m.start(), end)) {
                    String digits = text.substring(m.start(), end).replaceAll("[ -]", "");
                    if (digits.length() >= 12
                            && digits.length() <= 19
                            && Checksums.cardIssuer(digits)
                            && Checksums.luhn(digits)) {
                        out.add(new Detection(CARD, m.start(), end));
                        break;
                    }
                }
            }
        };
    }

    private static int lastSeparator(String text, int start, int end) {
        for (int i = end - 1; i > start; i--) {
            char c = text.charAt(i);
            if (c == ' ' || c == '-') {
                return i;
            }
        }
        return start;
    }

    private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
            Map.entry("AD", 24),
            Map.entry("AE", 23),
            Map.entry("AT", 20),
            Map.entry("BE", 16),
            Map.entry("BG", 22),
            Map.entry("BH", 22),
            Map.entry("BR", 29),
            Map.entry("CH", 21),
            Map.entry("CY", 28),
            Map.entry("CZ", 24),
            Map.entry("DE", 22),
            Map.entry("DK", 18),
            Map.entry("EE", 20),
            Map.entry("ES", 24),
            Map.entry("FI", 18),
            Map.entry("FO", 18),
            Map.entry("FR", 27),
            Map.entry("GB", 22),
            Map.entry("GI", 23),
            Map.entry("GL", 18),
            Map.entry("GR", 27),
            Map.entry("HR", 21),
            Map.entry("HU", 28),
            Map.entry("IE", 22),
            Map.entry("IL", 23),
            Map.entry("IS", 26),
            Map.entry("IT", 27),
            Map.entry("KW", 30),
            Map.entry("KZ", 20),
            Map.entry("LB", 28),
            Map.entry("LI", 21),
            Map.entry("LT", 20),
            Map.entry("LU", 20),
            Map.entry("LV", 21),
            Map.entry("MC", 27),
            Map.entry("ME", 22),
            Map.entry("MK", 19),
            Map.entry("MT", 31),
            Map.entry("MU", 30),
            Map.entry("NL", 18),
            Map.entry("NO", 15),
            Map.entry("PK", 24),
            Map.entry("PL", 28),
            Map.entry("PS", 29),
            Map.entry("PT", 25),
            Map.entry("QA", 29),
            Map.entry("RO", 24),
            Map.entry("RS", 22),
            Map.entry("SA", 24),
            Map.entry("SE", 24),
            Map.entry("SI", 19),
            Map.entry("SK", 24),
            Map.entry("SM", 27),
            Map.entry("TN", 24),
            Map.entry("TR", 26),
            Map.entry("UA", 29));

    /**
     * IBANs, compact or printed in groups of four. A known country fixes the length (so trailing words in capitals
     * are not swallowed); for other countries the whole candidate must validate.
     */
    private static Rule ibans() {
        Pattern candidate = Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}");
        return (text, out) -> {
            Matcher m = candidate.matcher(text);
            while (m.find()) {
                String raw = m.group();
                String compact = raw.replace(" ", "");
                Integer length = IBAN_LENGTHS.get(compact.substring(0, 2));
                int take = length != null ? length : compact.length();
                if (compact.length() < take || !Checksums.iban(compact.substring(0, take))) {
                    continue;
                }
                int end = m.start();
                for (int kept = 0; kept < take; end++) {
                    if (text.charAt(end) != ' ') {
                        kept++;
                    }
                }
                if (end < text.length() && Character.isLetterOrDigit(text.charAt(end)) && text.charAt(end - 1) != ' ') {
                    continue; // the IBAN-length prefix ends inside a longer token
                }
                out.add(new Detection(IBAN, m.start(), end));
                m.region(end, text.length());
            }
        };
    }

    /** US SSNs written 123-45-6789 or 123 45 6789 (a bare nine-digit number is too ambiguous). */
    private static Rule ssns() {
        Pattern candidate = Pattern.compile("(?<![\\d-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\d-])");
        return matching(SSN, candidate, m -> Checksums.ssn(m.group(1), m.group(3), m.group(4)));
    }

    // --- contact data ---

    private static Rule emails() {
        Pattern email = Pattern.compile(
                "(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])");
        return matching(EMAIL, email, m -> true);
    }

    /**
     * Phone numbers in the shapes people write them: international (+country code), North American
     * ((555) 123-4567, 555-123-4567, 555.123.4567) and national with a trunk 0 in groups (020 7946 0958,
     * 01 23 45 67 89). Separated groups are required, which keeps order numbers, dates and amounts out.
     */
    private static Rule phones() {
        // not glued to other digit groups: a run like "0044 0532 0130 01" is part of some longer number
        String before = "(?<![\\w+.(-])(?<!\\d[ .-])";
        String after = "(?![\\w])(?![ .-]\\d)";
        List<Pattern> shapes = List.of(
                Pattern.compile(before + "\\+\\d{1,3}(?:[ .-]?\\(?\\d{1,4}\\)?){2,6}" + after),
                Pattern.compile(before + "(?:\\(\\d{3}\\) ?|\\d{3}[.-])\\d{3}[.-]\\d{4}" + after),
                Pattern.compile(before + "0[1-9]\\d{0,3}(?:[ .-]\\d{2,8}){2,4}" + after));
        return (text, out) -> {
            for (Pattern shape : shapes) {
                Matcher m = shape.matcher(text);
                while (m.find()) {
                    long digits = m.group().chars().filter(Character::isDigit).count();
                    if (digits >= 9 && digits <= 15) {
                        out.add(new Detection(PHONE, m.start(), m.end()));
                    }
                }
            }
        };
    }

    private static Rule matching(String label, Pattern pattern, Predicate<Matcher> accept) {
        return (text, out) -> {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (accept.test(m)) {
                    out.add(new Detection(label, m.start(), m.end()));
                }
            }
        };
    }
}
