package dev.warden.policy.tenant;

/**
 * How streamed output is moderated. HOLD_BACK sends a window only after the guard passed it (the default: nothing
 * unchecked reaches the client); OPTIMISTIC sends at once and cuts the stream when a window fails; BUFFER checks the
 * whole response before sending anything. Windows are in tokens and overlap so a phrase split across two windows
 * is still seen whole.
 */
public record StreamingPolicy(Mode mode, int windowTokens, int overlapTokens) {

    public enum Mode { HOLD_BACK, OPTIMISTIC, BUFFER }

    public static final StreamingPolicy DEFAULT = new StreamingPolicy(Mode.HOLD_BACK, 64, 16);
}
