-- +goose Up
CREATE TABLE evidence_records (
    idx       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    ref       TEXT    NOT NULL,
    at_us     INTEGER NOT NULL,
    logged_us INTEGER NOT NULL,
    content   BLOB,
    sha       BLOB    NOT NULL,
    redacted  INTEGER NOT NULL DEFAULT 0,
    scopes    TEXT    NOT NULL,
    -- the tree hashes this record added (tlog stored hashes, 32 bytes each,
    -- level 0 first), in the same row so record and hashes are one write
    hashes    BLOB    NOT NULL
);
CREATE INDEX evidence_records_ref ON evidence_records (kind, ref);

CREATE TABLE evidence_scopes (
    type TEXT    NOT NULL,
    id   TEXT    NOT NULL,
    idx  INTEGER NOT NULL,
    PRIMARY KEY (type, id, idx)
) WITHOUT ROWID;

CREATE TABLE evidence_checkpoints (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    size  INTEGER NOT NULL,
    note  BLOB    NOT NULL
);

CREATE TABLE evidence_blobs (
    sha          BLOB PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL
);

-- +goose Down
DROP TABLE evidence_blobs;
DROP TABLE evidence_checkpoints;
DROP TABLE evidence_scopes;
DROP TABLE evidence_records;
