package dev.warden.guard;

/**
 * Where a classifier's label fires and what that costs, as measured on validation data when the classifier was
 * built: a score at or above {@code score} counts as positive, and at that score the validation split showed
 * {@code validationFalsePositiveRate} among {@code negatives} and {@code validationRecall} among positives (NaN when
 * the validation split held no positives of that label).
 * Reported beside the scores (e.g. by /v1/moderations) so a caller can judge a score; the tenant policy's
 * thresholds still decide.
 */
public record OperatingPoint(
        double score, double validationFalsePositiveRate, double validationRecall, String negatives) {}
