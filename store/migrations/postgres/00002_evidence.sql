-- +goose Up
CREATE TABLE evidence_records (
    idx       BIGINT PRIMARY KEY,
    kind      TEXT    NOT NULL,
    ref       TEXT    NOT NULL,
    at_us     BIGINT NOT NULL,
    logged_us BIGINT NOT NULL,
    content   BYTEA,
    sha       BYTEA    NOT NULL,
    redacted  BIGINT NOT NULL DEFAULT 0,
    scopes    TEXT    NOT NULL,
    -- the tree hashes this record added (tlog stored hashes, 32 bytes each,
    -- level 0 first), in the same row so record and hashes are one write
    hashes    BYTEA    NOT NULL
);
CREATE INDEX evidence_records_ref ON evidence_records (kind, ref);

CREATE TABLE evidence_scopes (
    type TEXT    NOT NULL,
    id   TEXT    NOT NULL,
    idx  BIGINT NOT NULL,
    PRIMARY KEY (type, id, idx)
);

CREATE TABLE evidence_checkpoints (
    seq   BIGSERIAL PRIMARY KEY,
    size  BIGINT NOT NULL,
    note  BYTEA    NOT NULL
);

CREATE TABLE evidence_blobs (
    sha          BYTEA PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL
);

-- +goose Down
DROP TABLE evidence_blobs;
DROP TABLE evidence_checkpoints;
DROP TABLE evidence_scopes;
DROP TABLE evidence_records;
