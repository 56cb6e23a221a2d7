-- The policy version (PolicyVersion digest of the tenants and licence files in force) each decision was made under,
-- derived from the hashed body like the other columns; NULL for records written before it was recorded.
ALTER TABLE audit_entry ADD COLUMN policy_version TEXT;

-- Each policy version's documents, once: what an auditor reads to see the rules a record was decided by, and what
-- an evidence bundle carries. documents is canonical JSON (file name -> text); the digest is recomputable from it.
CREATE TABLE audit_policy_version (
    digest        TEXT   NOT NULL PRIMARY KEY,
    first_seen_ms BIGINT NOT NULL,
    documents     TEXT   NOT NULL
);
