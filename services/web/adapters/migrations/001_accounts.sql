-- The pages' accounts, their sessions and failed sign-ins (services/web). No password is kept in clear: only
-- its argon2id hash; no session cookie either: only its SHA-256.
CREATE SCHEMA IF NOT EXISTS web;
GRANT USAGE ON SCHEMA web TO web_svc;

CREATE TABLE web.accounts (
    login           text PRIMARY KEY,
    name            text        NOT NULL,
    unit_id         text,
    roles           text[]      NOT NULL,
    phone           text,
    clearance       text        NOT NULL,
    password_hash   text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    password_set_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE web.sessions (
    id         text PRIMARY KEY,  -- sha256 of the cookie's value
    login      text        NOT NULL REFERENCES web.accounts (login) ON DELETE CASCADE,
    csrf_token text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON web.sessions (expires_at);

-- Failed sign-ins, of known and unknown logins alike, kept for the lock-out's window.
CREATE TABLE web.sign_in_failures (
    login     text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_idx ON web.sign_in_failures (login, failed_at);

GRANT SELECT, INSERT, UPDATE ON web.accounts TO web_svc;
GRANT SELECT, INSERT, DELETE ON web.sessions, web.sign_in_failures TO web_svc;
