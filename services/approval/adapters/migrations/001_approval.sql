-- Approval's own state: the units directory, the reports it knows, each unit's queue, decisions,
-- forwards, receipts, the events it has handled, and the outbox of events it still has to publish.
CREATE SCHEMA IF NOT EXISTS approval;

-- From UnitRegistered (the units topic); the latest registration of a unit wins.
CREATE TABLE approval.units (
    unit_id              text PRIMARY KEY,
    name                 text NOT NULL,
    level                text NOT NULL,
    kind                 text NOT NULL,
    parent_id            text,
    department_parent_id text,
    event_id             text NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Every consumed event id, written in the same transaction as its effect: a redelivery is a no-op.
CREATE TABLE approval.processed (
    event_id     text PRIMARY KEY,
    type         text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE approval.reports (
    report_id            text PRIMARY KEY,
    incident_id          text NOT NULL,
    reporting_unit       text NOT NULL,
    kind                 text NOT NULL,
    channel              text NOT NULL,
    title                text NOT NULL,
    grade                text,
    reportable           boolean NOT NULL,
    policy               text,
    pack                 text NOT NULL,
    supersedes_report_id text,
    phone_report_id      text,
    submitted_by         text,
    received_at          timestamptz NOT NULL,
    submitted_event_id   text NOT NULL
);
CREATE INDEX reports_phone_idx ON approval.reports (phone_report_id) WHERE phone_report_id IS NOT NULL;

-- One row per (report, unit) the report reached. kind: sign_off (waits for this unit's sign-off),
-- inform (end of the route or a department copy: read and acknowledge), notice (a skipped level).
-- state: pending → awaiting_principal → signed | rejected | superseded; inform/notice stay delivered.
CREATE TABLE approval.queue (
    report_id    text NOT NULL REFERENCES approval.reports,
    unit_id      text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('sign_off', 'inform', 'notice')),
    via          text NOT NULL CHECK (via IN ('submitted', 'main', 'department', 'skip_notice')),
    from_unit_id text,
    state        text NOT NULL CHECK (state IN ('pending', 'awaiting_principal', 'signed', 'rejected',
                                                'superseded', 'delivered')),
    arrived_at   timestamptz NOT NULL,
    decided_at   timestamptz,
    PRIMARY KEY (report_id, unit_id)
);
CREATE INDEX queue_unit_idx ON approval.queue (unit_id, arrived_at);

CREATE TABLE approval.decisions (
    event_id   text PRIMARY KEY,
    report_id  text NOT NULL REFERENCES approval.reports,
    unit_id    text NOT NULL,
    approver   text NOT NULL,
    role       text NOT NULL,
    decision   text NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment    text NOT NULL,
    final      boolean NOT NULL,
    emergency  boolean NOT NULL DEFAULT false,
    decided_at timestamptz NOT NULL
);
CREATE INDEX decisions_report_idx ON approval.decisions (report_id, decided_at);

CREATE TABLE approval.forwards (
    event_id     text PRIMARY KEY,
    report_id    text NOT NULL REFERENCES approval.reports,
    from_unit_id text NOT NULL,
    to_unit_id   text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('main', 'department', 'skip_notice')),
    emergency    boolean NOT NULL DEFAULT false,
    forwarded_at timestamptz NOT NULL,
    UNIQUE (report_id, from_unit_id, to_unit_id, channel)
);

CREATE TABLE approval.receipts (
    report_id       text NOT NULL REFERENCES approval.reports,
    unit_id         text NOT NULL,
    by_subject      text NOT NULL,
    acknowledged_at timestamptz NOT NULL,
    event_id        text NOT NULL UNIQUE,
    PRIMARY KEY (report_id, unit_id)
);

-- Events written in the same transaction as the state they describe; the relay publishes them in
-- seq order and stamps sent_at. Ids are deterministic, so a publish repeated after a crash is a duplicate
-- the archive recognises, never a second fact.
CREATE TABLE approval.outbox (
    seq        bigserial PRIMARY KEY,
    event_id   text NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent_idx ON approval.outbox (seq) WHERE sent_at IS NULL;

GRANT USAGE ON SCHEMA approval TO approval_svc;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA approval TO approval_svc;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA approval TO approval_svc;
