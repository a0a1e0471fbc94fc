-- +goose Up
-- Scopes get small integer keys, and the scope index holds (era, key, idx)
-- instead of (type, id, idx): a third of the bytes per entry, and, with the
-- era (idx >> 12, 4,096 records) first, an append touches only the index
-- pages of the current era, however long the log grows.
CREATE TABLE evidence_scope_keys (
    skey INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    id   TEXT NOT NULL,
    UNIQUE (type, id)
);
INSERT INTO evidence_scope_keys (type, id)
    SELECT DISTINCT type, id FROM evidence_scopes ORDER BY type, id;

CREATE TABLE evidence_scope_index (
    era  INTEGER NOT NULL,
    skey INTEGER NOT NULL,
    idx  INTEGER NOT NULL,
    PRIMARY KEY (era, skey, idx)
) WITHOUT ROWID;
INSERT INTO evidence_scope_index (era, skey, idx)
    SELECT s.idx >> 12, k.skey, s.idx
    FROM evidence_scopes s JOIN evidence_scope_keys k ON k.type = s.type AND k.id = s.id
    ORDER BY 1, 2, 3;

DROP TABLE evidence_scopes;

-- A record written from now on lists its scopes as their keys (uvarints,
-- in the record's order) in scope_keys, with scopes = ''; older records
-- keep their scopes as JSON.
ALTER TABLE evidence_records ADD COLUMN scope_keys BLOB;

-- +goose Down
-- Version 6 cannot read records that list scope keys: refuse to go down
-- when there are any.
CREATE TEMP TABLE evidence_down_check (n BIGINT CHECK (n = 0));
INSERT INTO evidence_down_check SELECT COUNT(*) FROM evidence_records WHERE scopes = '';
DROP TABLE evidence_down_check;
ALTER TABLE evidence_records DROP COLUMN scope_keys;
CREATE TABLE evidence_scopes (
    type TEXT    NOT NULL,
    id   TEXT    NOT NULL,
    idx  INTEGER NOT NULL,
    PRIMARY KEY (type, id, idx)
) WITHOUT ROWID;
INSERT INTO evidence_scopes (type, id, idx)
    SELECT k.type, k.id, s.idx
    FROM evidence_scope_index s JOIN evidence_scope_keys k ON k.skey = s.skey;
DROP TABLE evidence_scope_index;
DROP TABLE evidence_scope_keys;
