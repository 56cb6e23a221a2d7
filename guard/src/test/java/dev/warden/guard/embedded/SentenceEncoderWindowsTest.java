package dev.warden.guard.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SentenceEncoderWindowsTest {

    @Test
    void shortTextIsOneWindow() {
        assertThat(SentenceEncoder.windows(new long[] {1, 2, 3}, 254, 64, 64)).hasSize(1);
        assertThat(SentenceEncoder.windows(new long[0], 254, 64, 64)).hasSize(1);
    }

    @Test
    void longTextWindowsOverlapAndCoverEveryToken() {
        long[] pieces = LongStream.range(0, 1000).toArray();
        List<long[]> windows = SentenceEncoder.windows(pieces, 254, 64, 64);
        assertThat(windows).allSatisfy(w -> assertThat(w.length).isLessThanOrEqualTo(254));
        for (int i = 1; i < windows.size(); i++) {
            long[] prev = windows.get(i - 1);
            long[] next = windows.get(i);
            assertThat(next[0]).isEqualTo(prev[prev.length - 64]);
        }
        long[] last = windows.get(windows.size() - 1);
        assertThat(windows.get(0)[0]).isZero();
        assertThat(last[last.length - 1]).isEqualTo(999);
    }

    @Test
    void windowCountIsCapped() {
        assertThat(SentenceEncoder.windows(LongStream.range(0, 100_000).toArray(), 254, 64, 5))
                .hasSize(5);
    }

    @Test
    void shortWindowsHaveNoSegments() {
        assertThat(SentenceEncoder.segmentStarts(0)).isEmpty();
        assertThat(SentenceEncoder.segmentStarts(SentenceEncoder.SEGMENT_FROM_TOKENS))
                .isEmpty();
    }

    @Test
    void segmentsOfALongWindowOverlapAndTheLastEndsAtTheWindowEnd() {
        int pieces = 211;
        List<Integer> starts = SentenceEncoder.segmentStarts(pieces);
        assertThat(starts.get(0)).isZero();
        for (int i = 1; i < starts.size(); i++) {
            // consecutive segments overlap, so a sentence cut by one segment boundary is whole in the next
            assertThat(starts.get(i) - starts.get(i - 1))
                    .isPositive()
                    .isLessThanOrEqualTo(SentenceEncoder.SEGMENT_STRIDE_TOKENS);
        }
        assertThat(starts.get(starts.size() - 1) + SentenceEncoder.SEGMENT_TOKENS)
                .isEqualTo(pieces);
    }

    @Test
    void rowsSplitIntoOneVectorPerWindowAndSegment() {
        float[] window = new float[SentenceEncoder.DIMENSION * 3];
        window[SentenceEncoder.DIMENSION] = 7f;
        float[][] vectors = SentenceEncoder.vectors(new float[][] {window, new float[SentenceEncoder.DIMENSION]});
        assertThat(vectors).hasNumberOfRows(4);
        for (float[] v : vectors) {
            assertThat(v).hasSize(SentenceEncoder.DIMENSION);
        }
        assertThat(vectors[1][0]).isEqualTo(7f);
    }
}
