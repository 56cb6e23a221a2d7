package dev.warden.guard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContentRulesTest {

    private final ContentRules rules = new ContentRules();

    private List<String> labels(String text) {
        return rules.scan(text).stream().map(Detection::label).toList();
    }

    private List<String> found(String text) {
        return rules.scan(text).stream()
                .map(d -> text.substring(d.start(), d.end()))
                .toList();
    }

    @Test
    void emails() {
        assertThat(found("Write to jane.doe+news@mail.example.co.uk, or bob@example.com."))
                .containsExactly("jane.doe+news@mail.example.co.uk", "bob@example.com");
        assertThat(labels("user@localhost, @handle, a@b, name at example dot com"))
                .isEmpty();
    }

    @Test
    void phoneNumbers() {
        assertThat(found("Call +1 415 555 2671 or (415) 555-2671 or 415.555.2671, UK 020 7946 0958, +44 20 7946 0958"))
                .containsExactly(
                        "+1 415 555 2671", "(415) 555-2671", "415.555.2671", "020 7946 0958", "+44 20 7946 0958");
        assertThat(labels("order 12345678, on 2024-01-15, pi is 3.14159, version 1.2.3, 10-20-30"))
                .isEmpty();
    }

    @Test
    void cardsMustPassLuhnAndBelongToAnIssuer() {
        assertThat(found("Visa 4111 1111 1111 1111, MC 5500-0000-0000-0004, Amex 378282246310005"))
                .containsExactly("4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005");
        // sixteen digits failing Luhn, a Luhn-valid number outside every issuer range, a long id
        assertThat(labels("4111 1111 1111 1112 and 1234 5678 9012 3452 and 00000000000000000000"))
                .isEmpty();
        // a card followed by more digits is still found
        assertThat(found("card 4111 1111 1111 1111 0425")).containsExactly("4111 1111 1111 1111");
    }

    @Test
    void ibansMustPassMod97() {
        assertThat(found("Pay DE89 3704 0044 0532 0130 00 AND GB82WEST12345698765432 today"))
                .containsExactly("DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432");
        assertThat(labels("DE89 3704 0044 0532 0130 01 or GB82WEST12345698765433"))
                .isEmpty();
    }

    @Test
    void socialSecurityNumbers() {
        assertThat(found("SSN 123-45-6789 or 078 05 1120")).containsExactly("123-45-6789", "078 05 1120");
        assertThat(labels("000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000 123-45 6789 2024-01-15"))
                .isEmpty();
    }

    @Test
    void apiKeys() {
        String github = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
        String text = "keys: sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34 AKIAIOSFODNN7EXAMPLE " + github
                + " xoxb-123456789012-abcdefghijKL and Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.aX9_Qw";
        assertThat(found(text))
                .containsExactly(
                        "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34",
                        "AKIAIOSFODNN7EXAMPLE",
                        github,
                        "xoxb-123456789012-abcdefghijKL",
                        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.aX9_Qw");
        assertThat(labels(text)).containsOnly(ContentRules.API_KEY);
        // words, not keys
        assertThat(labels("password: correcthorsebatterystaple, token = undefined, risk-assessment-for-the-sk-team, "
                        + "ask-me-anything-about-everything-today, the secret: aaaaaaaaaaaaaaaaaaaaaaaa1"))
                .isEmpty();
    }

    @Test
    void privateKeys() {
        String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----";
        assertThat(found("here: " + pem + " done")).containsExactly(pem);
        assertThat(found("cut off: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg"))
                .containsExactly("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg");
        assertThat(labels("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----"))
                .isEmpty();
    }

    @Test
    void theMoreSpecificLabelWinsAnOverlap() {
        // the key body contains digits that a looser rule could take; one detection, the private key
        String pem = "-----BEGIN PRIVATE KEY-----\n4111 1111 1111 1111 jane@example.com\n-----END PRIVATE KEY-----";
        assertThat(labels(pem)).containsExactly(ContentRules.PRIVATE_KEY);
    }

    @Test
    void redactorReplacesSpansWithTheirLabel() {
        Redactor redactor = new Redactor(rules);
        String text = "Mail jane@example.com, card 4111-1111-1111-1111, key AKIAIOSFODNN7EXAMPLE.";

        assertThat(redactor.redact(text))
                .isEqualTo("Mail [REDACTED:pii.email], card [REDACTED:pii.card], key [REDACTED:secret.api_key].");
        assertThat(redactor.redact(text, List.of(ContentRules.API_KEY)))
                .isEqualTo("Mail jane@example.com, card 4111-1111-1111-1111, key [REDACTED:secret.api_key].");
        assertThat(redactor.redact("nothing here")).isEqualTo("nothing here");
    }
}
