package dev.warden.policy.tenant;

import dev.warden.policy.ratelimit.LimitSet;
import java.time.Instant;

/**
 * A stored key: never the key itself, only its SHA-256. {@code limits} overrides the tenant's per-key limits for
 * this key alone (null: use the tenant's).
 */
public record ApiKey(String id, String label, String sha256, Instant created, LimitSet limits) {}
