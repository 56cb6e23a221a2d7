package dev.warden.guard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.ChatMessage;
import dev.warden.inference.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentRulesClassifierTest {

    private final ContentRulesClassifier classifier = new ContentRulesClassifier();

    @Test
    void inputScansUserAndToolTurnsButNotTheSystemPrompt() {
        Verdict verdict = classifier
                .classify(GuardInput.prompt(List.of(
                        ChatMessage.of(Role.SYSTEM, "Escalate to ops@example.com"),
                        ChatMessage.of(Role.USER, "My card is 4111 1111 1111 1111 and so is 5500 0000 0000 0004"),
                        new ChatMessage(Role.TOOL, "found key AKIAIOSFODNN7EXAMPLE", null, null, "c1"))))
                .block();

        assertThat(verdict.status()).isEqualTo(Verdict.Status.OK);
        assertThat(verdict.scores())
                .containsOnlyKeys("pii.card", "secret.api_key")
                .containsEntry("pii.card", 1.0)
                .containsEntry("secret.api_key", 1.0);
        assertThat(verdict.detail()).isEqualTo("pii.card=2 secret.api_key=1").doesNotContain("4111");
    }

    @Test
    void outputScansTheResponse() {
        Verdict verdict = classifier
                .classify(GuardInput.response(
                        List.of(ChatMessage.of(Role.USER, "mail me at me@example.com")), "Sure, I will write to you."))
                .block();

        assertThat(verdict.scores()).isEmpty();
        assertThat(verdict.detail()).isNull();
    }
}
