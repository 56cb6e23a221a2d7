package dev.warden.gateway.responses;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.warden.policy.tenant.AuditSettings;
import java.time.Duration;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Responses kept for {@code previous_response_id} and {@code GET /v1/responses/{id}}, per tenant: one tenant can
 * never read or continue another's. Held in this gateway's memory only, for {@code warden.responses.retention}
 * but never longer than the tenant keeps content ({@code audit.content-retention-days}, which is the record period
 * when the tenants file does not set it): a stored response is the conversation's text. A request with
 * {@code store: false} is not kept at all. A bounded number is kept; the oldest go first.
 */
public final class StoredResponses {

    /** The Response as the client saw it, and the whole conversation in chat form to continue from. */
    record Stored(ObjectNode response, ArrayNode conversation, Duration keep) {}

    private final Cache<String, Stored> cache;
    private final Duration retention;

    public StoredResponses(long maxStored, Duration retention) {
        this.retention = retention;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxStored)
                .expireAfter(new Expiry<String, Stored>() {
                    @Override
                    public long expireAfterCreate(String key, Stored value, long currentTime) {
                        return value.keep().toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Stored value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(String key, Stored value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    void put(String tenantId, AuditSettings tenantAudit, ObjectNode response, ArrayNode conversation) {
        cache.put(key(tenantId, response.path("id").asString()), new Stored(response, conversation, keep(tenantAudit)));
    }

    /** How long a response of a tenant with these audit settings is kept. */
    Duration keep(AuditSettings tenantAudit) {
        Duration tenantContent = Duration.ofDays(tenantAudit.contentRetentionDays());
        return retention.compareTo(tenantContent) < 0 ? retention : tenantContent;
    }

    Stored get(String tenantId, String responseId) {
        return cache.getIfPresent(key(tenantId, responseId));
    }

    boolean delete(String tenantId, String responseId) {
        return cache.asMap().remove(key(tenantId, responseId)) != null;
    }

    private static String key(String tenantId, String responseId) {
        return tenantId + '\u0000' + responseId;
    }
}
