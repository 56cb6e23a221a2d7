package dev.warden.policy.audit;

import java.time.Instant;

/** {@code count} requests in the bucket starting at {@code bucket} whose key (a decision, a category...) is {@code key}. */
public record BucketCount(Instant bucket, String key, long count) {}
