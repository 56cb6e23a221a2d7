package dev.warden.guard.embedded.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.warden.guard.embedded.DenseHead;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MlpTrainerTest {

    private static final List<String> LABELS = List.of("benign", "injection", "jailbreak");

    @Test
    void averagedHeadsWithAHiddenLayerGiveTheMeanOfTheirLogits() {
        Random random = new Random(7);
        List<DenseHead> heads = List.of(head(random, 5), head(random, 3), head(random, 4));
        DenseHead average = MlpTrainer.averageOfLogits(heads);

        assertThat(average.layers().get(0).out()).isEqualTo(12);
        for (int trial = 0; trial < 20; trial++) {
            float[] x = vector(random, 6);
            double[] got = average.logits(x);
            for (int o = 0; o < LABELS.size(); o++) {
                double expected = 0;
                for (DenseHead h : heads) {
                    expected += h.logits(x)[o] / heads.size();
                }
                assertThat(got[o]).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void averagedLinearHeadsGiveTheMeanOfTheirLogits() {
        Random random = new Random(11);
        List<DenseHead> heads = List.of(linear(random), linear(random));
        DenseHead average = MlpTrainer.averageOfLogits(heads);

        assertThat(average.layers()).hasSize(1);
        float[] x = vector(random, 6);
        for (int o = 0; o < LABELS.size(); o++) {
            assertThat(average.logits(x)[o])
                    .isCloseTo((heads.get(0).logits(x)[o] + heads.get(1).logits(x)[o]) / 2, within(1e-5));
        }
    }

    private static DenseHead head(Random random, int hidden) {
        return new DenseHead(
                LABELS,
                DenseHead.Output.SOFTMAX,
                List.of(
                        new DenseHead.Layer(6, hidden, vector(random, 6 * hidden), vector(random, hidden)),
                        new DenseHead.Layer(hidden, 3, vector(random, 3 * hidden), vector(random, 3))));
    }

    private static DenseHead linear(Random random) {
        return new DenseHead(
                LABELS,
                DenseHead.Output.SOFTMAX,
                List.of(new DenseHead.Layer(6, 3, vector(random, 18), vector(random, 3))));
    }

    private static float[] vector(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
