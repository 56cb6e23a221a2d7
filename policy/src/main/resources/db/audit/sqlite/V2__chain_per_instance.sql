-- One chain per (tenant, writer instance) instead of one per tenant, so that several gateway replicas can write to
-- one store without competing for sequence numbers. Rows written before this migration form the 'default'
-- instance's chains (ChainId.LEGACY_INSTANCE); they keep their sequence numbers and hashes and still verify.
-- SQLite cannot change a primary key in place, so each table is rebuilt with the new key and its rows copied.
CREATE TABLE audit_entry_v2 (
    tenant      TEXT    NOT NULL,
    instance    TEXT    NOT NULL DEFAULT 'default',
    seq         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    ts_ms       BIGINT  NOT NULL,
    model       TEXT,
    purpose     TEXT,
    outcome     TEXT,
    decision    TEXT,
    rule        TEXT,
    http_status INTEGER,
    classifiers TEXT    NOT NULL,
    categories  TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    PRIMARY KEY (tenant, instance, seq)
);
INSERT INTO audit_entry_v2 (tenant, instance, seq, kind, request_id, ts_ms, model, purpose, outcome, decision, rule,
                            http_status, classifiers, categories, prev_hash, hash, body)
SELECT tenant, 'default', seq, kind, request_id, ts_ms, model, purpose, outcome, decision, rule, http_status,
       classifiers, categories, prev_hash, hash, body
FROM audit_entry;
DROP TABLE audit_entry;
ALTER TABLE audit_entry_v2 RENAME TO audit_entry;
CREATE INDEX audit_entry_time ON audit_entry (ts_ms, tenant, instance, seq);
CREATE INDEX audit_entry_tenant_time ON audit_entry (tenant, ts_ms);
CREATE INDEX audit_entry_request ON audit_entry (request_id);

CREATE TABLE audit_category_v2 (
    tenant   TEXT   NOT NULL,
    instance TEXT   NOT NULL DEFAULT 'default',
    seq      BIGINT NOT NULL,
    ts_ms    BIGINT NOT NULL,
    category TEXT   NOT NULL,
    PRIMARY KEY (tenant, instance, seq, category)
);
INSERT INTO audit_category_v2 (tenant, instance, seq, ts_ms, category)
SELECT tenant, 'default', seq, ts_ms, category FROM audit_category;
DROP TABLE audit_category;
ALTER TABLE audit_category_v2 RENAME TO audit_category;
CREATE INDEX audit_category_time ON audit_category (category, ts_ms);

CREATE TABLE audit_anchor_v2 (
    tenant     TEXT   NOT NULL,
    instance   TEXT   NOT NULL DEFAULT 'default',
    seq        BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant, instance)
);
INSERT INTO audit_anchor_v2 (tenant, instance, seq, hash, updated_ms)
SELECT tenant, 'default', seq, hash, updated_ms FROM audit_anchor;
DROP TABLE audit_anchor;
ALTER TABLE audit_anchor_v2 RENAME TO audit_anchor;
