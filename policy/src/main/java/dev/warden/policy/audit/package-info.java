/**
 * The audit log: every request's outcome, recorded durably in a hash chain that compliance can verify and query.
 * <p>
 * Shape: the gateway builds an {@link dev.warden.policy.audit.AuditRecord} and calls
 * {@link dev.warden.policy.audit.AuditLog#append}; one writer thread seals records into their tenant's chain
 * ({@link dev.warden.policy.audit.ChainedEntry}) and group-commits them to an
 * {@link dev.warden.policy.audit.AuditStore} (SQLite file by default, PostgreSQL for shared deployments), or to a
 * spill file while the store is down. {@link dev.warden.policy.audit.HeadCheckpoint}s, signed with the operator's
 * key ({@link dev.warden.policy.audit.OperatorKey}), pin every chain's head, so that a cut-off end, a deleted chain
 * or a recomputed chain shows. {@link dev.warden.policy.audit.ChainVerifier} proves a chain intact,
 * {@link dev.warden.policy.audit.AuditStore#query} and {@link dev.warden.policy.audit.AuditExport} serve
 * dashboards and exports, {@link dev.warden.policy.audit.Retention} deletes old entries without breaking a chain.
 * <p>
 * One chain per tenant rather than one global chain: tenants have different retention periods, and a per-tenant
 * chain can lose its old end without re-anchoring anyone else's; a tenant's export verifies on its own without
 * disclosing other tenants' entries (a global chain interleaves them, so every link would need its neighbours);
 * offboarding a tenant touches no other chain. The price is that the chains prove order only within a tenant.
 * <p>
 * More precisely one chain per tenant and writer instance ({@link dev.warden.policy.audit.ChainId}): gateway
 * replicas sharing a PostgreSQL store each seal their own chains on their own writer thread, so no two processes
 * ever compete for a sequence number and group commit and the spill file stay local to a process. The instance id
 * lives in a column next to the hashed body, not in it, so the canonical format does not depend on who wrote it.
 * Queries and counts span all instances; verification and retention work chain by chain.
 */
package dev.warden.policy.audit;
