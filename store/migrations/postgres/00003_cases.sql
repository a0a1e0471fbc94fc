-- +goose Up
-- Cases: the current state of each case (the fold of its events, as JSON,
-- with the columns the queue filters on) and its append-only events.
CREATE TABLE cases (
    id          TEXT    PRIMARY KEY,
    accused     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL DEFAULT '',
    assignee    TEXT    NOT NULL DEFAULT '',
    opened_ns   BIGINT  NOT NULL,
    updated_ns  BIGINT  NOT NULL,
    seq         INTEGER NOT NULL,
    state       TEXT    NOT NULL
);
CREATE INDEX cases_accused ON cases (accused, status);
CREATE INDEX cases_status ON cases (status, opened_ns);

CREATE TABLE case_events (
    case_id TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    at_ns   BIGINT  NOT NULL,
    actor   TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    body    TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Who a case concerns: its victims (sellers see their own cases) and the
-- accused's linked accounts.
CREATE TABLE case_victims (
    seller  TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (seller, case_id)
);

-- What opened or fed a case (a report id, a flag decision): each is acted
-- on once, however often the engine re-emits it on a rebuild.
CREATE TABLE case_triggers (
    key     TEXT NOT NULL PRIMARY KEY,
    case_id TEXT NOT NULL
);

-- The moderation.action events a case decision asked for, written with
-- the decision: at start the service appends any the event log lacks (a
-- crash between the two writes).
CREATE TABLE case_actions (
    event_id TEXT NOT NULL PRIMARY KEY,
    case_id  TEXT NOT NULL,
    body     TEXT NOT NULL
);

-- The restitution ledger, a projection of the case events.
CREATE TABLE restitution (
    case_id  TEXT    NOT NULL,
    entry    INTEGER NOT NULL,
    victim   TEXT    NOT NULL,
    amount   BIGINT  NOT NULL,
    currency TEXT    NOT NULL,
    owed_ns  BIGINT  NOT NULL,
    paid_ns  BIGINT,
    ref      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, entry)
);

-- The dossier's timeline reads an account's messages both ways.
CREATE INDEX messages_sender ON messages (sender, at_ns);
CREATE INDEX messages_recipient ON messages (recipient, at_ns);

-- +goose Down
DROP INDEX messages_recipient;
DROP INDEX messages_sender;
DROP TABLE restitution;
DROP TABLE case_actions;
DROP TABLE case_triggers;
DROP TABLE case_victims;
DROP TABLE case_events;
DROP TABLE cases;
