package dev.warden.inference.remote;

import static dev.warden.inference.remote.RemoteEngineTest.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.inference.Generation;
import dev.warden.inference.InferenceException;
import dev.warden.inference.InferenceException.Kind;
import dev.warden.inference.StreamChunk;
import dev.warden.inference.testing.ScriptedGate;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;

/** Fail-over, time limits, circuit breakers, health checks and cancellation, against real HTTP upstreams. */
@Timeout(60) // breakers, health checks and replicas in seconds, per test
@Tag("slow")
class RemoteEngineResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Generous limits for tests that are not about time limits, so that a busy machine cannot fail them. */
    private static final RemoteEngineSettings.Timeouts RELAXED = new RemoteEngineSettings.Timeouts(
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));

    private static final Duration LIMIT = Duration.ofMillis(1500);

    @BeforeAll
    static void warmUp() {
        // Class loading and JIT on a cold JVM can take longer than the short limits tested below.
        try (ScriptedOpenAiServer server = ScriptedOpenAiServer.start();
                RemoteEngine engine = new RemoteEngine(RemoteEngineSettings.of("m", "u", List.of(server.baseUrl()))
                        .withHealth(RemoteEngineSettings.Health.disabled()))) {
            for (int i = 0; i < 5; i++) {
                engine.streamChat(Requests.chat("warm", true)).blockLast(WAIT);
                engine.chat(Requests.chat("warm", false)).block(WAIT);
            }
        }
    }

    private final ScriptedOpenAiServer first = ScriptedOpenAiServer.start();
    private final ScriptedOpenAiServer second = ScriptedOpenAiServer.start();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        first.close();
        second.close();
    }

    private RemoteEngine engine(RemoteEngineSettings settings) {
        RemoteEngine engine = new RemoteEngine(settings);
        toClose.add(engine);
        return engine;
    }

    /** Both replicas, first one first in rotation, no health checks, short time limits. */
    private RemoteEngineSettings twoReplicas() {
        return RemoteEngineSettings.of("m", "upstream-m", List.of(first.baseUrl(), second.baseUrl()))
                .withHealth(RemoteEngineSettings.Health.disabled())
                .withTimeouts(RELAXED)
                .withRetries(1);
    }

    private static String text(List<StreamChunk> chunks) {
        return chunks.stream().map(StreamChunk::text).collect(Collectors.joining());
    }

    @Test
    void failsOverWhenTheFirstReplicaClosesTheConnectionBeforeAnswering() {
        first.always(ScriptedReply.refuse());
        second.always(ScriptedReply.text("from the second"));
        RemoteEngine engine = engine(twoReplicas());

        List<StreamChunk> chunks =
                engine.streamChat(Requests.chat("hi", true)).collectList().block(WAIT);

        assertThat(text(chunks)).isEqualTo("from the second");
        assertThat(first.generationRequests()).isEqualTo(1);
        assertThat(second.generationRequests()).isEqualTo(1);
    }

    @Test
    void failsOverWhenTheFirstReplicaAnswers500() {
        first.always(ScriptedReply.error(500, "CUDA out of memory"));
        second.always(ScriptedReply.text("fine"));
        RemoteEngine engine = engine(twoReplicas());

        Generation g = engine.chat(Requests.chat("hi", false)).block(WAIT);
        List<StreamChunk> chunks =
                engine.streamChat(Requests.chat("hi", true)).collectList().block(WAIT);

        assertThat(g.choices().get(0).text()).isEqualTo("fine");
        assertThat(text(chunks)).isEqualTo("fine");
        assertThat(first.generationRequests())
                .as("round-robin starts each request on the first replica here")
                .isEqualTo(2);
        assertThat(second.generationRequests()).isEqualTo(2);
    }

    @Test
    void failsOverWhenTheFirstReplicaIsNotListening() {
        ScriptedOpenAiServer gone = ScriptedOpenAiServer.start();
        String deadUrl = gone.baseUrl();
        gone.close();
        second.always(ScriptedReply.text("alive"));
        RemoteEngine engine = engine(RemoteEngineSettings.of("m", "u", List.of(deadUrl, second.baseUrl()))
                .withHealth(RemoteEngineSettings.Health.disabled())
                .withTimeouts(RELAXED));

        assertThat(text(engine.streamChat(Requests.chat("hi", true))
                        .collectList()
                        .block(WAIT)))
                .isEqualTo("alive");
    }

    @Test
    void failsOverWhenTheFirstReplicaDiesBeforeItsFirstEvent() {
        first.always(ScriptedReply.text("lost").dieAfter(0));
        second.always(ScriptedReply.text("kept"));
        RemoteEngine engine = engine(twoReplicas());

        assertThat(text(engine.streamChat(Requests.chat("hi", true))
                        .collectList()
                        .block(WAIT)))
                .isEqualTo("kept");
    }

    @Test
    void aFailureAfterTheFirstChunkIsSignalledAndNotRetried() {
        first.always(ScriptedReply.text("one two three four").dieAfter(2));
        second.always(ScriptedReply.text("should never be asked"));
        RemoteEngine engine = engine(twoReplicas());
        List<StreamChunk> received = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true))
                        .doOnNext(received::add)
                        .blockLast(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_ERROR));
        assertThat(text(received)).isEqualTo("one two ");
        assertThat(second.generationRequests()).isZero();
    }

    @Test
    void aCleanlyEndedButTruncatedStreamIsAnErrorAndNotRetried() {
        first.always(ScriptedReply.text("one two three").truncateAfter(1));
        RemoteEngine engine = engine(twoReplicas());
        List<StreamChunk> received = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true))
                        .doOnNext(received::add)
                        .blockLast(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_ERROR));
        assertThat(text(received)).isEqualTo("one ");
        assertThat(second.generationRequests()).isZero();
    }

    @Test
    void anIdleGapMidStreamTimesOutAndClosesTheUpstreamConnection() {
        ScriptedGate never = new ScriptedGate();
        first.always(ScriptedReply.text("start then silence").holdAfter(1, never));
        // A first-token limit far beyond the test's wait: only the idle-gap limit can end this stream in time.
        RemoteEngine engine = engine(twoReplicas()
                .withTimeouts(new RemoteEngineSettings.Timeouts(
                        Duration.ofSeconds(2), Duration.ofSeconds(60), LIMIT, LIMIT)));
        List<StreamChunk> received = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true))
                        .doOnNext(received::add)
                        .blockLast(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
                    assertThat(e.getMessage()).contains("silent");
                });
        assertThat(text(received)).isEqualTo("start ");
        assertThat(second.generationRequests()).isZero();
        assertThat(first.awaitAbortedResponses(1, WAIT)).isTrue();
    }

    @Test
    void aSlowFirstTokenTimesOutAndFailsOver() {
        first.always(ScriptedReply.text("too late").firstByteDelay(Duration.ofSeconds(20)));
        second.always(ScriptedReply.text("on time"));
        RemoteEngine engine = engine(twoReplicas()
                .withTimeouts(
                        new RemoteEngineSettings.Timeouts(Duration.ofSeconds(2), LIMIT, Duration.ofSeconds(5), LIMIT)));

        assertThat(text(engine.streamChat(Requests.chat("hi", true))
                        .collectList()
                        .block(WAIT)))
                .isEqualTo("on time");
        assertThat(first.awaitAbortedResponses(1, WAIT)).isTrue();
    }

    @Test
    void aSlowFirstTokenOnTheOnlyReplicaIsATimeout() {
        first.always(ScriptedReply.hang());
        RemoteEngine engine = engine(twoReplicas()
                .withRetries(0)
                .withTimeouts(new RemoteEngineSettings.Timeouts(Duration.ofSeconds(2), LIMIT, LIMIT, LIMIT)));

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true)).blockLast(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
                    assertThat(e.getMessage()).contains("first token");
                });
        assertThat(second.generationRequests()).isZero();
    }

    @Test
    void aSlowWholeResponseIsATimeout() {
        first.always(ScriptedReply.hang());
        second.always(ScriptedReply.hang());
        RemoteEngine engine = engine(twoReplicas()
                .withTimeouts(new RemoteEngineSettings.Timeouts(Duration.ofSeconds(2), LIMIT, LIMIT, LIMIT)));

        assertThatThrownBy(() -> engine.chat(Requests.chat("hi", false)).block(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
        assertThat(first.generationRequests()).isEqualTo(1);
        assertThat(second.generationRequests()).isEqualTo(1);
    }

    @Test
    void whenEveryAttemptFailsTheLastUpstreamErrorIsSignalled() {
        first.always(ScriptedReply.error(502, "bad gateway upstream"));
        second.always(ScriptedReply.error(503, "loading model"));
        RemoteEngine engine = engine(twoReplicas().withRetries(3));

        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true)).blockLast(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_ERROR));
        assertThat(first.generationRequests() + second.generationRequests()).isEqualTo(4);
    }

    @Test
    void theCircuitOpensAfterFailuresAndClosesAgainAfterTheWait() {
        first.always(ScriptedReply.error(500, "broken"));
        RemoteEngine engine = engine(RemoteEngineSettings.of("m", "u", List.of(first.baseUrl()))
                .withHealth(RemoteEngineSettings.Health.disabled())
                .withTimeouts(RELAXED)
                .withRetries(0)
                .withBreaker(new RemoteEngineSettings.Breaker(50f, 4, 2, Duration.ofMillis(300), 1)));

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> engine.chat(Requests.chat("hi", false)).block(WAIT))
                    .isInstanceOfSatisfying(
                            InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_ERROR));
        }
        assertThat(engine.replicaStatus().get(0).circuitState()).isEqualTo("OPEN");
        assertThatThrownBy(() -> engine.streamChat(Requests.chat("hi", true)).blockLast(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
        assertThat(first.generationRequests())
                .as("an open circuit sends nothing upstream")
                .isEqualTo(2);

        first.always(ScriptedReply.text("recovered"));
        awaitUntil(() -> engine.replicaStatus().get(0).circuitState().equals("HALF_OPEN"));
        assertThat(engine.chat(Requests.chat("hi", false))
                        .block(WAIT)
                        .choices()
                        .get(0)
                        .text())
                .isEqualTo("recovered");
        assertThat(engine.replicaStatus().get(0).circuitState()).isEqualTo("CLOSED");
    }

    @Test
    void refusedConnectionsOpenTheCircuit() {
        ScriptedOpenAiServer gone = ScriptedOpenAiServer.start();
        String deadUrl = gone.baseUrl();
        gone.close();
        RemoteEngine engine = engine(RemoteEngineSettings.of("m", "u", List.of(deadUrl))
                .withHealth(RemoteEngineSettings.Health.disabled())
                .withRetries(0)
                .withBreaker(new RemoteEngineSettings.Breaker(50f, 2, 2, Duration.ofSeconds(30), 1)));

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(
                            () -> engine.streamChat(Requests.chat("hi", true)).blockLast(WAIT))
                    .isInstanceOfSatisfying(
                            InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_ERROR));
        }

        assertThat(engine.replicaStatus().get(0).circuitState()).isEqualTo("OPEN");
        assertThatThrownBy(() -> engine.chat(Requests.chat("hi", false)).block(WAIT))
                .isInstanceOfSatisfying(
                        InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
    }

    @Test
    void aClientErrorDoesNotOpenTheCircuit() {
        first.always(ScriptedReply.error(400, "bad request"));
        RemoteEngine engine = engine(RemoteEngineSettings.of("m", "u", List.of(first.baseUrl()))
                .withHealth(RemoteEngineSettings.Health.disabled())
                .withBreaker(new RemoteEngineSettings.Breaker(50f, 2, 2, Duration.ofSeconds(30), 1)));

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> engine.chat(Requests.chat("hi", false)).block(WAIT))
                    .isInstanceOfSatisfying(
                            InferenceException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
        }
        assertThat(engine.replicaStatus().get(0).circuitState()).isEqualTo("CLOSED");
    }

    @Test
    void healthChecksTakeADeadReplicaOutOfRotationAndBringItBack() {
        first.healthy(false);
        first.always(ScriptedReply.text("from first"));
        second.always(ScriptedReply.text("from second"));
        RemoteEngine engine = engine(twoReplicas()
                .withHealth(new RemoteEngineSettings.Health(Duration.ofMillis(50), "/health", Duration.ofSeconds(1))));

        awaitUntil(() -> !engine.replicaStatus().get(0).healthy());
        for (int i = 0; i < 4; i++) {
            assertThat(engine.chat(Requests.chat("hi", false))
                            .block(WAIT)
                            .choices()
                            .get(0)
                            .text())
                    .isEqualTo("from second");
        }
        assertThat(first.generationRequests()).isZero();

        first.healthy(true);
        awaitUntil(() -> engine.replicaStatus().get(0).healthy());
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(engine.chat(Requests.chat("hi", false))
                    .block(WAIT)
                    .choices()
                    .get(0)
                    .text());
        }
        assertThat(answers).contains("from first", "from second");
    }

    @Test
    void healthChecksMarkAReplicaThatStoppedListeningDown() {
        ScriptedOpenAiServer doomed = ScriptedOpenAiServer.start();
        RemoteEngine engine = engine(RemoteEngineSettings.of("m", "u", List.of(doomed.baseUrl()))
                .withTimeouts(RELAXED)
                .withHealth(new RemoteEngineSettings.Health(Duration.ofMillis(50), "/health", Duration.ofSeconds(1))));
        awaitUntil(() -> doomed.healthChecks() > 0);
        assertThat(engine.replicaStatus().get(0).healthy()).isTrue();

        doomed.close();

        awaitUntil(() -> !engine.replicaStatus().get(0).healthy());
        assertThatThrownBy(() -> engine.chat(Requests.chat("hi", false)).block(WAIT))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                    assertThat(e.retryAfter()).isNotNull();
                });
    }

    @Test
    void cancellingTheStreamClosesTheUpstreamConnection() {
        ScriptedGate gate = new ScriptedGate();
        first.always(ScriptedReply.text("a b c").holdAfter(1, gate));
        RemoteEngine engine = engine(twoReplicas().withTimeouts(RemoteEngineSettings.Timeouts.defaults()));
        AtomicReference<StreamChunk> firstChunk = new AtomicReference<>();

        Disposable subscription = engine.streamChat(Requests.chat("hi", true)).subscribe(firstChunk::set);
        awaitUntil(() -> firstChunk.get() != null);
        subscription.dispose();

        assertThat(first.awaitAbortedResponses(1, WAIT)).isTrue();
        assertThat(first.awaitConnectionsClosed(1, WAIT)).isTrue();
        assertThat(second.generationRequests()).isZero();
    }
}
