package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.HttpCalls.Reply;
import dev.warden.gateway.guard.EmbeddedClassifierSource;
import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.testing.ScriptedReply;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Mono;

/**
 * A classifier that never answers on the output side (an injected fault): a fail-closed tenant's response is
 * withheld, a fail-open tenant's passes with the bypass counted, streamed or not.
 */
@Import(FailModeTest.StallingClassifier.class)
// A second application context: its audit log gets its own store, or two writers would fork one chain.
@TestPropertySource(
        properties = {
            "warden.guard.embedded.deadline=300ms",
            "warden.audit.store=target/fail-mode-test/audit.db",
            "warden.audit.spill-file=target/fail-mode-test/audit-spill.jsonl"
        })
class FailModeTest extends GatewayTest {

    @TestConfiguration
    static class StallingClassifier {
        @Bean
        EmbeddedClassifierSource stallingOutputClassifier() {
            Classifier stall = new Classifier() {
                public String name() {
                    return "stall-probe";
                }

                public String version() {
                    return "1";
                }

                public Set<Direction> directions() {
                    return Set.of(Direction.OUTPUT);
                }

                public Mono<Verdict> classify(GuardInput input) {
                    return Mono.never();
                }
            };
            return () -> List.of(stall);
        }
    }

    private HttpCalls http;

    @BeforeEach
    void http() {
        http = new HttpCalls(baseUrl());
    }

    private static final String CHAT =
            "{\"model\": \"test-model\", \"messages\": [{\"role\": \"user\", " + "\"content\": \"say hello\"}]}";
    private static final String STREAM = "{\"model\": \"test-model\", \"stream\": true, \"messages\": "
            + "[{\"role\": \"user\", \"content\": \"say hello\"}]}";

    @Test
    void failClosedWithholdsTheResponseWhenTheOutputClassifierTimesOut() {
        UPSTREAM.enqueue(ScriptedReply.text("hello there"));

        Reply r = http.post("/v1/chat/completions", TENANTS.localKey, "application/json", CHAT);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var choice = r.json().path("choices").get(0);
        assertThat(choice.path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(choice.path("message").path("content").isNull()).isTrue();
        assertThat(choice.path("content_filter_results").path("rule").asString())
                .contains("fail-closed")
                .contains("stall-probe");
        assertThat(r.header("x-warden-decision")).isEqualTo("block");
    }

    @Test
    void failOpenLetsTheResponseThroughAndCountsTheBypass() {
        UPSTREAM.enqueue(ScriptedReply.text("hello there"));

        Reply r = http.post("/v1/chat/completions", TENANTS.lenientKey, "application/json", CHAT);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json()
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asString())
                .isEqualTo("hello there");
        assertThat(http.get("/actuator/prometheus", ADMIN_KEY).body())
                .containsPattern(
                        "warden_guard_bypasses_total\\{[^}]*classifier=\"stall-probe\"[^}]*tenant=\"lenient\"[^}]*} [1-9]");
    }

    @Test
    void aStreamWhoseClassifierTimesOutFollowsTheTenantsFailMode() {
        UPSTREAM.enqueue(ScriptedReply.pieces("hello ", "there"));
        Reply closed = http.post("/v1/chat/completions", TENANTS.holdbackKey, "application/json", STREAM);
        UPSTREAM.enqueue(ScriptedReply.pieces("hello ", "there"));
        Reply open = http.post("/v1/chat/completions", TENANTS.lenientKey, "application/json", STREAM);

        StreamModerationTest.Sse cut = StreamModerationTest.Sse.parse(closed.body());
        StreamModerationTest.Sse passed = StreamModerationTest.Sse.parse(open.body());
        assertThat(cut.text()).isEmpty();
        assertThat(cut.finishChoice().path("finish_reason").asString()).isEqualTo("content_filter");
        assertThat(passed.text()).isEqualTo("hello there");
        assertThat(passed.done()).isTrue();
    }
}
