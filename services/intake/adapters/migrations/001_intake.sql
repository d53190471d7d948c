-- Intake's own state: the unit directory (built from the units topic), submissions keyed by
-- (unit, Idempotency-Key) with the exact events they publish, and each incident's current grade.
CREATE SCHEMA IF NOT EXISTS intake;

CREATE TABLE intake.units (
    unit_id              text PRIMARY KEY,
    name                 text NOT NULL,
    level                text NOT NULL,
    kind                 text NOT NULL,
    parent_id            text,
    department_parent_id text,
    event_id             text NOT NULL,
    event_time           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- state 'pending': the events are computed but not yet acknowledged by Kafka (a retry republishes
-- exactly these bytes); 'published': acknowledged, the answer may be replayed.
CREATE TABLE intake.submissions (
    unit_id      text NOT NULL,
    idem_key     text NOT NULL,
    report_id    text NOT NULL UNIQUE,
    request_hash text NOT NULL,
    envelopes    json NOT NULL,
    answer       json NOT NULL,  -- json, not jsonb: the replayed answer keeps its key order
    incident     json,
    state        text NOT NULL CHECK (state IN ('pending', 'published')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (unit_id, idem_key)
);

CREATE TABLE intake.incidents (
    incident_id      text PRIMARY KEY,
    category         text NOT NULL,
    location_unit_id text NOT NULL,
    clock_start      timestamptz NOT NULL,
    reportable       boolean NOT NULL,
    grade            text,
    policy           text NOT NULL,
    last_report_id   text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

GRANT USAGE ON SCHEMA intake TO intake_svc;
GRANT SELECT, INSERT, UPDATE ON intake.units, intake.submissions, intake.incidents TO intake_svc;
