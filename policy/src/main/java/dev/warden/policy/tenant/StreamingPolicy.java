package dev.warden.policy.tenant;

/**
 * How streamed output is moderated. HOLD_BACK sends a window only after the guard passed it (the default: nothing
 * unchecked reaches the client); OPTIMISTIC sends at once and cuts the stream when a window fails; BUFFER checks the
 * whole response before sending anything. Windows are in tokens and overlap so a phrase split across two windows
 * is still seen whole.
 * <p>
 * Windows ramp up so that a held-back stream starts at once: the first window holds {@code firstWindowTokens}
 * tokens, ends at the first clause, and closes {@code firstWindowMs} after its first token at the latest; each
 * later window may hold twice as many fresh tokens as the one before, up to {@code windowTokens} (overlap
 * included), and closes {@code windowMs} after its first token at the latest (0: no time bound).
 */
public record StreamingPolicy(
        Mode mode, int windowTokens, int overlapTokens, int firstWindowTokens, int firstWindowMs, int windowMs) {

    public enum Mode {
        HOLD_BACK,
        OPTIMISTIC,
        BUFFER
    }

    public static final StreamingPolicy DEFAULT = new StreamingPolicy(Mode.HOLD_BACK, 64, 16, 4, 20, 500);
}
