package dev.warden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.guard.EmbeddedClassifierSource;
import dev.warden.guard.Classifier;
import dev.warden.guard.Direction;
import dev.warden.guard.GuardInput;
import dev.warden.guard.Verdict;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 16: when every output check judged the whole response so far, checks grew with the stream until one
 * passed the classifier's deadline near 1,000 tokens and a fail-closed stream was cut. An extra output classifier
 * here records the length of every text it is asked to judge: however long the stream, each check sees one
 * window with its bounded context.
 */
@Import(OutputWindowCostTest.RecordingClassifier.class)
// A second application context: its audit log gets its own store, or two writers would fork one chain.
// Embedded sources are read only while the embedded guard is on; a deadline far beyond any check keeps a busy
// machine from turning a slow check into a cut, which is not what this test is about.
@TestPropertySource(
        properties = {
            "warden.guard.rules.enabled=false",
            "warden.guard.embedded.deadline=60s",
            "warden.guard.code-security.deadline=60s",
            "warden.audit.store=target/output-window-cost-test/audit.db",
            "warden.audit.spill-file=target/output-window-cost-test/audit-spill.jsonl"
        })
class OutputWindowCostTest extends GatewayTest {

    static final List<Integer> JUDGED = new CopyOnWriteArrayList<>();

    @TestConfiguration
    static class RecordingClassifier {
        @Bean
        EmbeddedClassifierSource recordingOutputClassifier() {
            Classifier recorder = new Classifier() {
                public String name() {
                    return "length-recorder";
                }

                public String version() {
                    return "1";
                }

                public Set<Direction> directions() {
                    return Set.of(Direction.OUTPUT);
                }

                public reactor.core.publisher.Mono<Verdict> classify(GuardInput input) {
                    JUDGED.add(input.response().length());
                    return reactor.core.publisher.Mono.just(Verdict.ok(name(), version(), Map.of(), Duration.ZERO));
                }
            };
            return () -> List.of(recorder);
        }
    }

    @Test
    void eachOutputCheckOfALongStreamJudgesABoundedText() throws Exception {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            pieces.add("w" + i + " ");
        }
        UPSTREAM.enqueue(ScriptedReply.pieces(pieces.toArray(String[]::new)));
        JUDGED.clear();

        try (StreamStartTest.OpenStream stream =
                StreamStartTest.OpenStream.post(baseUrl(), TENANTS.localKey, StreamStartTest.STREAM)) {
            StreamModerationTest.Sse sse = StreamModerationTest.Sse.parse(stream.rest());
            assertThat(sse.text()).as("ended with %s", sse.finishChoice()).isEqualTo(String.join("", pieces));
            assertThat(sse.done()).isTrue();
        }
        // the default windows: at most 64 tokens each, 48 of them fresh once the ramp is done
        assertThat(JUDGED.size()).isGreaterThanOrEqualTo(2000 / 48);
        assertThat(Collections.max(JUDGED)).isLessThanOrEqualTo(64 * "w1999 ".length());
    }
}
