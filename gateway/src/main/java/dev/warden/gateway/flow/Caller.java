package dev.warden.gateway.flow;

import dev.warden.policy.audit.AuditRecord;
import dev.warden.policy.tenant.Principal;

/**
 * Who asks for a generation and under what declaration, whether the request came over HTTP or from a batch line:
 * the authenticated principal, the gateway's request id (and the client's own, if any), the declared purpose and
 * derivative model the licence stage checks, and for a batch line its batch id and {@code custom_id}.
 *
 * @param batch null for a live request
 */
public record Caller(Principal principal, String requestId, String clientRequestId, String purpose,
                     String derivativeModel, AuditRecord.Batch batch) {
}
