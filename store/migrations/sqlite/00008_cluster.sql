-- +goose Up
-- Leases of buyer partitions among workers (docs/SCALING.md). An embedded
-- store has one process, which holds every partition; the tables are here
-- so that the lease code runs, and is tested, on both engines. Following
-- the event log by commit order (events.seq) is PostgreSQL's alone.
CREATE TABLE partition_leases (
    part       INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL DEFAULT '',
    expires_ns INTEGER NOT NULL DEFAULT 0,
    epoch      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE workers (
    id      TEXT    PRIMARY KEY,
    seen_ns INTEGER NOT NULL
);

-- +goose Down
DROP TABLE workers;
DROP TABLE partition_leases;
