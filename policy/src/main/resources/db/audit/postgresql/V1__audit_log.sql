-- One row per chain entry. body is the canonical JSON that the hash covers; the other columns are derived from
-- it for queries and are checked against it by the verifier.
CREATE TABLE audit_entry (
    tenant      TEXT    NOT NULL,
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
    PRIMARY KEY (tenant, seq)
);
CREATE INDEX audit_entry_time ON audit_entry (ts_ms, tenant, seq);
CREATE INDEX audit_entry_tenant_time ON audit_entry (tenant, ts_ms);
CREATE INDEX audit_entry_request ON audit_entry (request_id);

-- Flagged categories, one row each, for filtering and per-category counts.
CREATE TABLE audit_category (
    tenant   TEXT   NOT NULL,
    seq      BIGINT NOT NULL,
    ts_ms    BIGINT NOT NULL,
    category TEXT   NOT NULL,
    PRIMARY KEY (tenant, seq, category)
);
CREATE INDEX audit_category_time ON audit_category (category, ts_ms);

-- Where a chain starts after retention: the last deleted entry's seq and hash.
CREATE TABLE audit_anchor (
    tenant     TEXT   NOT NULL PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    updated_ms BIGINT NOT NULL
);
