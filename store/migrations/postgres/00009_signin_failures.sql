-- +goose Up
-- Failed sign-ins, under a user name key and a client address key, so
-- that every worker of a cluster counts the same failures (the staff
-- console and seller portal refuse sign-ins for a while after too many).
CREATE TABLE signin_failures (
    throttle_key TEXT    NOT NULL,
    at_ns        BIGINT  NOT NULL
);
CREATE INDEX signin_failures_key ON signin_failures (throttle_key, at_ns);
CREATE INDEX signin_failures_at ON signin_failures (at_ns);

-- +goose Down
DROP TABLE signin_failures;
