package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warden.inference.Generation;
import dev.warden.inference.testing.ScriptedOpenAiServer;
import dev.warden.inference.testing.ScriptedReply;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.LoopResources;

/** Whose event loops an engine runs on, and what its close releases: loops it made itself, never its owner's. */
class RemoteEngineLoopsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void closingAnEngineOnItsOwnersLoopsLeavesThemAndTheOtherEnginesOnThemRunning() {
        LoopResources loops = LoopResources.create("owners-loops", 1, true);
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()) {
            upstream.always(ScriptedReply.text("still here"));
            RemoteEngine closed = new RemoteEngine(settings("closed", upstream), loops);
            RemoteEngine kept = new RemoteEngine(settings("kept", upstream), loops);
            closed.chat(Requests.chat("hi", false)).block(WAIT);
            kept.chat(Requests.chat("hi", false)).block(WAIT);
            EventLoopGroup group = loops.onClient(LoopResources.DEFAULT_NATIVE);

            closed.close();

            // a close that disposed them would start their shutdown at once, and end it after the quiet period
            await("the owner's loops keep running")
                    .during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !loops.isDisposed() && !group.isShuttingDown());
            Generation after = kept.chat(Requests.chat("hi", false)).block(WAIT);
            assertThat(after.choices()).singleElement().satisfies(c -> assertThat(c.text())
                    .isEqualTo("still here"));
            kept.close();
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            loops.disposeLater(Duration.ZERO, WAIT).block(WAIT);
        }
    }

    @Test
    void anEngineWithoutAnOwnersLoopsRunsOnLoopsOfItsOwnAndItsCloseEndsThem() {
        try (ScriptedOpenAiServer upstream = ScriptedOpenAiServer.start()) {
            upstream.always(ScriptedReply.text("hello"));
            RemoteEngine engine = new RemoteEngine(settings("standalone", upstream));
            engine.chat(Requests.chat("hi", false)).block(WAIT);
            assertThat(loopThreads("warden-remote-standalone")).isPositive();

            engine.close();

            await("the engine's own loops ended (after the quiet period)")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> loopThreads("warden-remote-standalone") == 0);
        }
    }

    private static RemoteEngineSettings settings(String model, ScriptedOpenAiServer upstream) {
        return RemoteEngineSettings.of(model, "upstream-model", List.of(upstream.baseUrl()))
                .withHealth(RemoteEngineSettings.Health.disabled());
    }

    private static long loopThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix + "-"))
                .count();
    }
}
