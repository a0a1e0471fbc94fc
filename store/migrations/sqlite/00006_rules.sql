-- +goose Up
-- Rule sets published from the staff console, newest last: the server
-- starts with the newest unless --rules names a file.
CREATE TABLE rule_sets (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    published_by TEXT    NOT NULL,
    published_ns INTEGER NOT NULL
);

-- +goose Down
DROP TABLE rule_sets;
