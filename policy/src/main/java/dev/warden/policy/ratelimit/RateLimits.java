package dev.warden.policy.ratelimit;

import java.util.Map;

/**
 * A tenant's limits: {@code key} applies to each of its keys separately, {@code tenant} to all its keys together,
 * {@code models} to all its keys together on one model. {@code filesAndBatches} applies to each key's calls of the
 * Files and Batch API (uploads, batch creation, status polls, downloads) and to nothing else: as on OpenAI's API,
 * managing a batch does not use up the request budget its lines run on, and a client polling a batch's status
 * cannot starve the batch.
 */
public record RateLimits(LimitSet key, LimitSet tenant, Map<String, LimitSet> models, LimitSet filesAndBatches) {

    public static final RateLimits NONE = new RateLimits(LimitSet.NONE, LimitSet.NONE, Map.of(), LimitSet.NONE);

    public RateLimits {
        models = Map.copyOf(models);
    }

    public LimitSet model(String model) {
        return models.getOrDefault(model, LimitSet.NONE);
    }
}
