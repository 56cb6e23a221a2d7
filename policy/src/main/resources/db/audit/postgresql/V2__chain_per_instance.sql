-- One chain per (tenant, writer instance) instead of one per tenant, so that several gateway replicas can write to
-- one store without competing for sequence numbers. Rows written before this migration form the 'default'
-- instance's chains (ChainId.LEGACY_INSTANCE); they keep their sequence numbers and hashes and still verify.
ALTER TABLE audit_entry ADD COLUMN instance TEXT NOT NULL DEFAULT 'default';
ALTER TABLE audit_entry DROP CONSTRAINT audit_entry_pkey;
ALTER TABLE audit_entry ADD PRIMARY KEY (tenant, instance, seq);
DROP INDEX audit_entry_time;
CREATE INDEX audit_entry_time ON audit_entry (ts_ms, tenant, instance, seq);

ALTER TABLE audit_category ADD COLUMN instance TEXT NOT NULL DEFAULT 'default';
ALTER TABLE audit_category DROP CONSTRAINT audit_category_pkey;
ALTER TABLE audit_category ADD PRIMARY KEY (tenant, instance, seq, category);

ALTER TABLE audit_anchor ADD COLUMN instance TEXT NOT NULL DEFAULT 'default';
ALTER TABLE audit_anchor DROP CONSTRAINT audit_anchor_pkey;
ALTER TABLE audit_anchor ADD PRIMARY KEY (tenant, instance);
