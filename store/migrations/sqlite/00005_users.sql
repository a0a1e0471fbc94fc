-- +goose Up
-- People who sign in to the web UI: staff (agent, lead) and sellers. The
-- marketplace's machine client uses the API key and has no row here.
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,   -- the login name
    name          TEXT    NOT NULL,      -- shown in the UI
    role          TEXT    NOT NULL,      -- fairmark.UserRole
    seller        TEXT    NOT NULL DEFAULT '', -- the seller account of a seller user
    password_hash TEXT    NOT NULL,      -- bcrypt
    created_ns    INTEGER NOT NULL
);

-- Web sessions. Only the SHA-256 of the random token kept in the cookie is
-- stored, so a copy of the database signs no one in.
CREATE TABLE sessions (
    token_sha  BLOB    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_ns INTEGER NOT NULL,
    expires_ns INTEGER NOT NULL,
    lang       TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_ns);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
