package dev.warden.guard.rules;

/**
 * One rule match: the label (e.g. {@code pii.email}) and the UTF-16 span {@code [start, end)} in the scanned text.
 * The matched text itself is deliberately not kept, so detections can be logged and audited without the secret.
 */
public record Detection(String label, int start, int end) {

    public Detection {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }

    boolean overlaps(Detection other) {
        return start < other.end && other.start < end;
    }
}
