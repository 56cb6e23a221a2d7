package dev.warden.guard.embedded.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FalsePositiveProfileTest {

    @Test
    void theCandidateThresholdFlagsNoSourceMoreOftenThanTheReferenceDoes() {
        // reference at 0.5 flags 2 of arena's 5 rows and none of trivia's
        FalsePositiveProfile profile = new FalsePositiveProfile(
                Map.of("arena", new double[] {0.9, 0.6, 0.4, 0.2, 0.1}, "trivia", new double[] {0.1, 0.2, 0.3}), 0.5);
        // the candidate ranks arena's rows higher: at 0.5 it would flag 4 of them
        Map<String, double[]> candidate =
                Map.of("arena", new double[] {0.95, 0.8, 0.7, 0.55, 0.1}, "trivia", new double[] {0.3, 0.2, 0.1});

        double threshold = profile.threshold(candidate);

        assertThat(threshold).isGreaterThan(0.7).isLessThanOrEqualTo(0.8);
        assertThat(flagged(candidate.get("arena"), threshold)).isEqualTo(2);
        assertThat(profile.report("jailbreak", candidate, threshold))
                .contains("validation arena: allowed 2/5 (shipped heads' count, at least 1), candidate flags 2")
                .contains("validation trivia: allowed 1/3 (shipped heads' count, at least 1), candidate flags 0");
    }

    @Test
    void aSourceTheReferenceNeverFlagsStillAllowsOneRow() {
        FalsePositiveProfile profile = new FalsePositiveProfile(Map.of("trivia", new double[] {0.1, 0.2, 0.3}), 0.5);

        double threshold = profile.threshold(Map.of("trivia", new double[] {0.9, 0.8, 0.1}));

        assertThat(threshold).isGreaterThan(0.8).isLessThanOrEqualTo(0.9);
    }

    @Test
    void aSourceWithoutAReferenceCountIsAnError() {
        FalsePositiveProfile profile = new FalsePositiveProfile(Map.of("trivia", new double[] {0.1}), 0.5);

        assertThatThrownBy(() -> profile.threshold(Map.of("arena", new double[] {0.9})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arena");
    }

    @Test
    void matchingOnRealTrafficLeavesOutTheProjectsOwnTemplatesAndSourcesTooSmallToCount() {
        Map<String, double[]> held = TrainHeads.realSources(Map.of(
                "arena-hard", new double[25],
                "grammar-benign-wrapper", new double[25],
                "contrast", new double[600],
                "injecagent-user", new double[4]));

        assertThat(held).containsOnlyKeys("arena-hard");
    }

    private static long flagged(double[] scores, double threshold) {
        return java.util.Arrays.stream(scores).filter(s -> s >= threshold).count();
    }
}
