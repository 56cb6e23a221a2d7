package dev.warden.policy.audit;

import java.time.Instant;

/**
 * The audit record of a request refused because it did not authenticate (HTTP 401): compliance wants failed
 * access attempts on the record, not only the requests that were served.
 * <p>
 * There is no tenant to file it under, so it goes to the reserved chain {@link #CHAIN}. The reason code
 * ({@code missing_api_key}, {@code invalid_api_key}) is the record's rule and its decision is
 * {@code unauthenticated}, the way other refusals without a policy decision are recorded; the key appears only as
 * its {@code keyId} (8 hex digits of its SHA-256), never the key or its full hash.
 */
public final class RefusedAuthentication {

    /**
     * The reserved tenant id of these records. Tenant ids must match {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}
     * (TenantFile refuses anything else), so an id starting with '~' can never be a real tenant's; '~' also needs
     * no escaping in a query string ({@code /admin/audit/records?tenant=~unauthenticated}).
     */
    public static final String CHAIN = "~unauthenticated";

    /** The path is the client's choice; an attacker must not be able to park kilobytes in every record. */
    static final int MAX_ROUTE_LENGTH = 200;

    private RefusedAuthentication() {}

    /**
     * @param route         the request path, cut to {@value #MAX_ROUTE_LENGTH} characters
     * @param clientAddress the TCP peer's address, or null
     * @param reason        the error code the client was given
     * @param keyId         {@code ApiKeys.keyId} of the presented key, or null when none of the right shape was given
     */
    public static AuditRecord record(
            String requestId, Instant time, String route, String clientAddress, String reason, String keyId) {
        String cut = route != null && route.length() > MAX_ROUTE_LENGTH ? route.substring(0, MAX_ROUTE_LENGTH) : route;
        return AuditRecord.builder(requestId, CHAIN)
                .time(time)
                .keyId(keyId)
                .outcome(Outcome.UNAUTHENTICATED)
                .decision("unauthenticated", reason)
                .httpStatus(401)
                .origin(cut, clientAddress)
                .build();
    }
}
