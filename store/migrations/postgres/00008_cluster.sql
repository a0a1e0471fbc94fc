-- +goose Up
-- Several workers on one database (docs/SCALING.md).
--
-- seq orders the event log by commit: every transaction that inserts
-- events first takes the advisory lock the store's Append takes, so a
-- later commit always has higher numbers and a worker can follow the log
-- with "seq > last seen" without missing a row committed late.
ALTER TABLE events ADD COLUMN seq BIGSERIAL;
CREATE UNIQUE INDEX events_seq ON events (seq);

-- One row per partition of the buyers: the worker holding it acts on the
-- decisions about those buyers until expires_ns. epoch counts owners.
CREATE TABLE partition_leases (
    part       INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL DEFAULT '',
    expires_ns BIGINT  NOT NULL DEFAULT 0,
    epoch      BIGINT  NOT NULL DEFAULT 0
);

-- Workers alive: each writes seen_ns with its lease renewals.
CREATE TABLE workers (
    id      TEXT   PRIMARY KEY,
    seen_ns BIGINT NOT NULL
);

-- +goose Down
DROP TABLE workers;
DROP TABLE partition_leases;
DROP INDEX events_seq;
ALTER TABLE events DROP COLUMN seq;
