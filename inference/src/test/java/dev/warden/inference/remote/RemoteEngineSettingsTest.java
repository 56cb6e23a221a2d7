package dev.warden.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteEngineSettingsTest {

    @Test
    void normalisesReplicaUrlsAndFillsDefaults() {
        RemoteEngineSettings s = RemoteEngineSettings.of(
                "served", null, List.of("http://gpu-1:8000/", "http://gpu-2:8000/v1", " https://host/openai "));

        assertThat(s.replicas()).containsExactly("http://gpu-1:8000", "http://gpu-2:8000", "https://host/openai");
        assertThat(s.upstreamModel()).isEqualTo("served");
        assertThat(s.timeouts()).isEqualTo(RemoteEngineSettings.Timeouts.defaults());
        assertThat(s.health().enabled()).isTrue();
        assertThat(RemoteEngineSettings.Health.disabled().enabled()).isFalse();
    }

    @Test
    void rejectsWhatCannotWork() {
        assertThatThrownBy(() -> RemoteEngineSettings.of("m", "u", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteEngineSettings.of("m", "u", List.of("gpu-1:8000")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        RemoteEngineSettings.of("m", "u", List.of("http://h")).withRetries(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
