-- Escalation's durable deadline clocks: every open deadline, reminder and 续报 is a row, never a sleeping task.
CREATE SCHEMA IF NOT EXISTS escalation;

-- The units directory, built from UnitRegistered (parents for obligations and notifications).
CREATE TABLE escalation.units (
    unit_id              text PRIMARY KEY,
    name                 text NOT NULL,
    level                text NOT NULL,
    kind                 text NOT NULL,
    parent_id            text,
    department_parent_id text
);

-- One row per incident: where it happened, which pack governs it, when its clock started.
CREATE TABLE escalation.incidents (
    incident_id text PRIMARY KEY,
    unit_id     text        NOT NULL,
    policy      text        NOT NULL,
    clock_start timestamptz NOT NULL,
    reportable  boolean     NOT NULL,
    grade       text,
    closed_at   timestamptz
);

-- Report events of each incident (the evidence a breach cites, and what fulfils obligations).
CREATE TABLE escalation.seen (
    event_id    text PRIMARY KEY,
    incident_id text        NOT NULL,
    type        text        NOT NULL,
    report_id   text,
    unit_id     text,
    to_unit_id  text,
    channel     text,
    report_kind text,
    at          timestamptz NOT NULL
);
CREATE INDEX seen_incident_idx ON escalation.seen (incident_id, at);

-- A clock: a breach (late / missed), a reminder before one, or a 续报 due. clock_id is the id of the
-- event it fires (uuid5 of what it is), so a re-publish after a crash repeats the same id.
CREATE TABLE escalation.clocks (
    clock_id    text PRIMARY KEY,
    incident_id text        NOT NULL,
    unit_id     text        NOT NULL,
    to_unit_id  text,
    obligation  text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('late', 'missed', 'reminder', 'follow_up')),
    of_kind     text,
    report_id   text,
    clock_start timestamptz NOT NULL,
    deadline_at timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    share       double precision,
    sequence    int,
    policy      text        NOT NULL,
    state       text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fulfilled', 'fired', 'superseded')),
    opened_by   text        NOT NULL,
    closed_at   timestamptz,
    closed_by   text
);
CREATE INDEX clocks_due_idx ON escalation.clocks (due_at) WHERE state = 'open';
CREATE INDEX clocks_incident_idx ON escalation.clocks (incident_id, unit_id, obligation);

-- Notifications: what was delivered (so a redelivered event is not sent twice) and what never got through.
CREATE TABLE escalation.deliveries (
    event_id     text NOT NULL,
    recipient    text NOT NULL,
    url          text NOT NULL,
    status       text NOT NULL CHECK (status IN ('delivered', 'dead')),
    attempts     int  NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, recipient, url)
);
CREATE TABLE escalation.dead_letters (
    id         bigserial PRIMARY KEY,
    event_id   text        NOT NULL,
    recipient  text        NOT NULL,
    url        text        NOT NULL,
    attempts   int         NOT NULL,
    last_error text        NOT NULL,
    payload    jsonb       NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);

GRANT USAGE ON SCHEMA escalation TO escalation_svc;
GRANT SELECT, INSERT, UPDATE ON escalation.units, escalation.incidents, escalation.seen, escalation.clocks,
    escalation.deliveries TO escalation_svc;
GRANT SELECT, INSERT ON escalation.dead_letters TO escalation_svc;
GRANT USAGE ON SEQUENCE escalation.dead_letters_id_seq TO escalation_svc;
