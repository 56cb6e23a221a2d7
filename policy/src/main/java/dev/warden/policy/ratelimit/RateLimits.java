package dev.warden.policy.ratelimit;

import java.util.Map;

/**
 * A tenant's limits: {@code key} applies to each of its keys separately, {@code tenant} to all its keys together,
 * {@code models} to all its keys together on one model.
 */
public record RateLimits(LimitSet key, LimitSet tenant, Map<String, LimitSet> models) {

    public static final RateLimits NONE = new RateLimits(LimitSet.NONE, LimitSet.NONE, Map.of());

    public RateLimits {
        models = Map.copyOf(models);
    }

    public LimitSet model(String model) {
        return models.getOrDefault(model, LimitSet.NONE);
    }
}
