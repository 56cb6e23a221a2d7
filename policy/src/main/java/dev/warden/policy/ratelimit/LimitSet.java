package dev.warden.policy.ratelimit;

import java.util.List;

/**
 * The limits of one scope (a key, a tenant, a model): any number of request windows and token windows, all
 * enforced at once, and a cap on concurrent requests (0: none).
 */
public record LimitSet(List<Window> requests, List<Window> tokens, int concurrent) {

    public static final LimitSet NONE = new LimitSet(List.of(), List.of(), 0);

    public LimitSet {
        requests = List.copyOf(requests);
        tokens = List.copyOf(tokens);
        if (concurrent < 0) {
            throw new IllegalArgumentException("concurrent must be 0 (no limit) or positive, got " + concurrent);
        }
    }

    public boolean isEmpty() {
        return requests.isEmpty() && tokens.isEmpty() && concurrent == 0;
    }
}
