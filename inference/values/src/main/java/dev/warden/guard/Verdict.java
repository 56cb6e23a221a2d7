package dev.warden.guard;

import java.time.Duration;
import java.util.Map;

/**
 * What one classifier said about one piece of content.
 * <p>
 * {@code scores} maps labels to probabilities in [0, 1]. The label vocabulary is shared by all classifiers so
 * that policy can put one threshold on one label whoever produced it:
 * <ul>
 *   <li>{@code S1} ... {@code S14}: hazard categories ({@link HazardCategory#code()});</li>
 *   <li>{@code unsafe}: Llama Guard's overall unsafe probability;</li>
 *   <li>{@code jailbreak}, {@code injection}: prompt-attack scores (Prompt Guard, the embedded attack head);</li>
 *   <li>{@code pii.email}, {@code pii.phone}, {@code pii.card}, {@code pii.iban}, {@code pii.ssn},
 *       {@code secret.api_key}, {@code secret.private_key}: rule detections (1.0 when found).</li>
 * </ul>
 * A verdict whose status is not {@link Status#OK} carries no scores; policy applies the tenant's fail mode.
 */
public record Verdict(
        String classifier, String version, Status status, Map<String, Double> scores, Duration latency, String detail) {

    public enum Status {
        OK,
        ERROR,
        TIMEOUT
    }

    public Verdict {
        scores = scores == null ? Map.of() : Map.copyOf(scores);
    }

    public static Verdict ok(String classifier, String version, Map<String, Double> scores, Duration latency) {
        return new Verdict(classifier, version, Status.OK, scores, latency, null);
    }

    public static Verdict failed(String classifier, String version, Status status, Duration latency, String detail) {
        return new Verdict(classifier, version, status, Map.of(), latency, detail);
    }

    public double score(String label) {
        return scores.getOrDefault(label, 0.0);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
