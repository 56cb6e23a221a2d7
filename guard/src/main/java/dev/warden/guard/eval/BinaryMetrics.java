package dev.warden.guard.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Binary detection metrics over scored examples. Threshold metrics count {@code score >= threshold} as a
 * detection. AUPRC is average precision (the step-wise area used by scikit-learn's average_precision_score);
 * ROC AUC is the Mann-Whitney statistic with ties counted as one half. Both are computed over the scores as
 * given, so they do not depend on the threshold. Undefined ratios (e.g. FPR with no negatives) are NaN.
 */
public record BinaryMetrics(
        int positives,
        int negatives,
        int truePositives,
        int falsePositives,
        double tpr,
        double fpr,
        double precision,
        double f1,
        double auprc,
        double rocAuc) {

    public record Scored(double score, boolean positive) {}

    public static BinaryMetrics of(List<Scored> examples, double threshold) {
        int p = 0;
        int n = 0;
        int tp = 0;
        int fp = 0;
        for (Scored s : examples) {
            boolean hit = s.score() >= threshold;
            if (s.positive()) {
                p++;
                tp += hit ? 1 : 0;
            } else {
                n++;
                fp += hit ? 1 : 0;
            }
        }
        double tpr = ratio(tp, p);
        double fpr = ratio(fp, n);
        double precision = ratio(tp, tp + fp);
        double f1 = Double.isNaN(precision) || Double.isNaN(tpr) || precision + tpr == 0
                ? (tp == 0 && p > 0 ? 0.0 : Double.NaN)
                : 2 * precision * tpr / (precision + tpr);
        return new BinaryMetrics(
                p, n, tp, fp, tpr, fpr, precision, f1, averagePrecision(examples, p), rocAuc(examples, p, n));
    }

    static double averagePrecision(List<Scored> examples, int positives) {
        if (positives == 0) {
            return Double.NaN;
        }
        List<Scored> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
        double ap = 0;
        int tp = 0;
        int seen = 0;
        int i = 0;
        while (i < sorted.size()) {
            double score = sorted.get(i).score();
            int groupTp = 0;
            int j = i;
            while (j < sorted.size() && sorted.get(j).score() == score) {
                groupTp += sorted.get(j).positive() ? 1 : 0;
                j++;
            }
            seen += j - i;
            tp += groupTp;
            ap += (groupTp / (double) positives) * (tp / (double) seen);
            i = j;
        }
        return ap;
    }

    static double rocAuc(List<Scored> examples, int positives, int negatives) {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        List<Scored> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparingDouble(Scored::score));
        double rankSum = 0;
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).score() == sorted.get(i).score()) {
                j++;
            }
            double averageRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (sorted.get(k).positive()) {
                    rankSum += averageRank;
                }
            }
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : a / (double) b;
    }
}
