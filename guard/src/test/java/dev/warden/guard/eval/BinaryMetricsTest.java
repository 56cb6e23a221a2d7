package dev.warden.guard.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    static BinaryMetrics.Scored p(double s) {
        return new BinaryMetrics.Scored(s, true);
    }

    static BinaryMetrics.Scored n(double s) {
        return new BinaryMetrics.Scored(s, false);
    }

    @Test
    void handWorkedExample() {
        // ranked: 0.9 P, 0.8 P, 0.7 N, 0.4 P, 0.3 N, 0.2 N, 0.1 N
        List<BinaryMetrics.Scored> rows = List.of(p(0.9), n(0.3), p(0.8), n(0.7), p(0.4), n(0.2), n(0.1));
        BinaryMetrics m = BinaryMetrics.of(rows, 0.5);
        assertThat(m.positives()).isEqualTo(3);
        assertThat(m.negatives()).isEqualTo(4);
        assertThat(m.truePositives()).isEqualTo(2);
        assertThat(m.falsePositives()).isEqualTo(1);
        assertThat(m.tpr()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.fpr()).isCloseTo(0.25, within(1e-12));
        assertThat(m.precision()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.f1()).isCloseTo(2.0 / 3, within(1e-12));
        // average precision: (1/3)(1/1) + (1/3)(2/2) + (1/3)(3/4) = 11/12
        assertThat(m.auprc()).isCloseTo(11.0 / 12, within(1e-12));
        // ROC AUC: positive-negative pairs ranked correctly: 4 + 4 + 3 of 12
        assertThat(m.rocAuc()).isCloseTo(11.0 / 12, within(1e-12));
    }

    @Test
    void tiesCountHalfAndThresholdIsInclusive() {
        BinaryMetrics m = BinaryMetrics.of(List.of(p(0.5), n(0.5)), 0.5);
        assertThat(m.rocAuc()).isCloseTo(0.5, within(1e-12));
        assertThat(m.auprc()).isCloseTo(0.5, within(1e-12));
        assertThat(m.tpr()).isEqualTo(1.0);
        assertThat(m.fpr()).isEqualTo(1.0);
    }

    @Test
    void perfectAndUndefined() {
        BinaryMetrics perfect = BinaryMetrics.of(List.of(p(0.9), p(0.6), n(0.1)), 0.5);
        assertThat(perfect.auprc()).isEqualTo(1.0);
        assertThat(perfect.rocAuc()).isEqualTo(1.0);
        assertThat(perfect.f1()).isEqualTo(1.0);
        BinaryMetrics onlyNegatives = BinaryMetrics.of(List.of(n(0.9), n(0.1)), 0.5);
        assertThat(onlyNegatives.fpr()).isEqualTo(0.5);
        assertThat(onlyNegatives.tpr()).isNaN();
        assertThat(onlyNegatives.auprc()).isNaN();
    }
}
