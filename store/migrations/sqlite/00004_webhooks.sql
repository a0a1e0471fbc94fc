-- +goose Up
-- The webhook outbox (package webhook): each message once, by the id its
-- producer chose, and one delivery per message and endpoint, written in
-- the transaction of the decision that caused it.
CREATE TABLE webhook_messages (
    id         TEXT   PRIMARY KEY,
    type       TEXT   NOT NULL,
    payload    BLOB  NOT NULL,   -- the envelope's data, as enqueued
    created_ns BIGINT NOT NULL
);

-- A delivery's id is derived from (message id, endpoint), so enqueueing
-- the same message twice inserts nothing. status is pending, delivered or
-- dead; a pending delivery is due at next_ns, and a dispatcher that
-- claimed it holds it until lease_until_ns under the token lease.
CREATE TABLE webhook_deliveries (
    id              TEXT   PRIMARY KEY,
    message_id      TEXT   NOT NULL REFERENCES webhook_messages (id),
    endpoint        TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_ns         BIGINT,
    lease           TEXT,
    lease_until_ns  BIGINT,
    last_attempt_ns BIGINT,
    last_status     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT   NOT NULL DEFAULT '',
    delivered_ns    BIGINT,
    created_ns      BIGINT NOT NULL,
    updated_ns      BIGINT NOT NULL
);
-- What dispatchers claim: pending deliveries by due time.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_ns) WHERE status = 'pending';
-- What operators list: newest first, by status or message.
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_ns);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, created_ns);
CREATE INDEX webhook_deliveries_message ON webhook_deliveries (message_id);
CREATE INDEX webhook_messages_type ON webhook_messages (type);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_messages;
