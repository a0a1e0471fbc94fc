-- +goose Up
-- The event log. The id is the idempotency key and the only index: the
-- engine sorts events into its order in memory when it rebuilds.
CREATE TABLE events (
    id          TEXT   NOT NULL PRIMARY KEY,
    type        TEXT   NOT NULL,
    at_ns       BIGINT NOT NULL,
    body        BYTEA  NOT NULL,
    received_ns BIGINT NOT NULL
);

CREATE TABLE accounts (
    id        TEXT PRIMARY KEY,
    role      TEXT NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    opened_ns BIGINT NOT NULL,
    device    TEXT NOT NULL DEFAULT '',
    ip        TEXT NOT NULL DEFAULT '',
    phone     TEXT NOT NULL DEFAULT '',
    payment   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE orders (
    id            TEXT PRIMARY KEY,
    buyer         TEXT NOT NULL DEFAULT '',
    seller        TEXT NOT NULL DEFAULT '',
    item_id       TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    digital       BIGINT NOT NULL DEFAULT 0,
    amount        BIGINT NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL DEFAULT '',
    placed_ns     BIGINT,
    delivered_ns  BIGINT,
    refunded_ns   BIGINT,
    refund_amount BIGINT
);
CREATE INDEX orders_buyer ON orders (buyer);
CREATE INDEX orders_seller ON orders (seller);

CREATE TABLE feedback (
    id           TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL DEFAULT '',
    buyer        TEXT NOT NULL DEFAULT '',
    seller       TEXT NOT NULL DEFAULT '',
    rating       TEXT NOT NULL DEFAULT '',
    stars        BIGINT NOT NULL DEFAULT 0,
    text         TEXT NOT NULL DEFAULT '',
    first_rating TEXT NOT NULL DEFAULT '',
    left_ns      BIGINT,
    state_ns     BIGINT NOT NULL DEFAULT 0,
    revisions    BIGINT NOT NULL DEFAULT 0,
    withdrawn_ns BIGINT
);
CREATE INDEX feedback_seller ON feedback (seller);
CREATE INDEX feedback_buyer ON feedback (buyer);

CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    conversation TEXT NOT NULL,
    order_id     TEXT NOT NULL DEFAULT '',
    sender       TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    text         TEXT NOT NULL,
    event_id     TEXT NOT NULL DEFAULT '',
    at_ns        BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation, at_ns);

CREATE TABLE reports (
    id        TEXT PRIMARY KEY,
    reporter  TEXT NOT NULL,
    accused   TEXT NOT NULL,
    order_id  TEXT NOT NULL DEFAULT '',
    feedback  TEXT NOT NULL DEFAULT '',
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL DEFAULT '',
    paid      BIGINT,
    currency  TEXT NOT NULL DEFAULT '',
    evidence  TEXT NOT NULL DEFAULT '[]',
    event_id  TEXT NOT NULL DEFAULT '',
    at_ns     BIGINT NOT NULL
);
CREATE INDEX reports_accused ON reports (accused);

CREATE TABLE decisions (
    key       TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    at_ns     BIGINT NOT NULL,
    event_id  TEXT NOT NULL,
    account   TEXT NOT NULL DEFAULT '',
    seller    TEXT NOT NULL DEFAULT '',
    feedback  TEXT NOT NULL DEFAULT '',
    body      TEXT NOT NULL
);
CREATE INDEX decisions_seller ON decisions (seller, at_ns);
CREATE INDEX decisions_account ON decisions (account, at_ns);

-- +goose Down
DROP TABLE decisions;
DROP TABLE reports;
DROP TABLE messages;
DROP TABLE feedback;
DROP TABLE orders;
DROP TABLE accounts;
DROP TABLE events;
