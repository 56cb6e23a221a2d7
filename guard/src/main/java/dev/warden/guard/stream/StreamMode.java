package dev.warden.guard.stream;

/** When moderated text may reach the client. */
public enum StreamMode {
    /**
     * Text is released window by window, each only after the window holding it passed the check: no unsafe token
     * leaves, at the price of one window of latency (plus the check's).
     */
    HOLD_BACK,
    /**
     * Text is released as it arrives and windows are checked alongside; a violation cuts the stream as soon as it
     * is known. Lowest latency; some unsafe text may have reached the client before the cut.
     */
    OPTIMISTIC,
    /** Nothing is released until the whole response passed; then everything is released at once. */
    BUFFER
}
