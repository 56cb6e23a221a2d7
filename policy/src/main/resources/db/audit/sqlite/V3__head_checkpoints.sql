-- Signed chain-head checkpoints (HeadCheckpoint): where every chain of a writer instance ended, signed with the
-- operator's Ed25519 key. body is the signed canonical JSON, kept byte for byte; the other columns are for lookup.
CREATE TABLE audit_head_checkpoint (
    instance  TEXT   NOT NULL,
    ts_ms     BIGINT NOT NULL,
    key_id    TEXT   NOT NULL,
    body      TEXT   NOT NULL,
    signature TEXT   NOT NULL,
    PRIMARY KEY (instance, ts_ms)
);
