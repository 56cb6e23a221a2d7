package dev.warden.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.gateway.ModelProperties;
import dev.warden.gateway.WardenProperties;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many lines of one model batches may run at once: a share of the engine's capacity, live traffic keeps the rest. */
class BatchCapacityTest {

    private static WardenProperties models(ModelProperties... models) {
        return new WardenProperties(null, List.of(models), null, null, null, null);
    }

    private static ModelProperties llamaCpp(String name, Integer slots) {
        return new ModelProperties(
                name,
                "llama-cpp",
                null,
                null,
                new ModelProperties.LlamaCpp(Path.of("m.gguf"), slots, null, null, null),
                null);
    }

    private static ModelProperties remote(String name, Integer connections, String... urls) {
        return new ModelProperties(
                name,
                "remote",
                null,
                null,
                null,
                new ModelProperties.Remote(
                        List.of(urls),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        connections,
                        null,
                        null,
                        null));
    }

    @Test
    void aShareOfTheSlotsOfAnInProcessModelAndAtLeastOne() {
        var permits = BatchConfiguration.permits(
                models(llamaCpp("eight", 8), llamaCpp("one", 1)),
                new BatchProperties(null, null, 0.25, 16, null, null, null));

        assertThat(permits.apply("eight")).isEqualTo(2);
        assertThat(permits.apply("one")).as("a batch always makes progress").isEqualTo(1);
    }

    @Test
    void aShareOfTheConnectionsOfARemoteModelCappedByMaxConcurrentLines() {
        WardenProperties warden =
                models(remote("vllm", 8, "http://a", "http://b"), remote("default", null, "http://c"));

        assertThat(BatchConfiguration.permits(warden, new BatchProperties(null, null, 0.5, 100, null, null, null))
                        .apply("vllm"))
                .isEqualTo(8);
        assertThat(BatchConfiguration.permits(warden, new BatchProperties(null, null, 0.25, 4, null, null, null))
                        .apply("default"))
                .isEqualTo(4);
        assertThat(BatchConfiguration.permits(warden, new BatchProperties(null, null, 0.25, 4, null, null, null))
                        .apply("unknown"))
                .isEqualTo(1);
    }
}
