-- Assessment's read models: one row per fact the scores count, each with the event that stated it
-- (event_id: a redelivery inserts nothing) and that event's time (recorded_at: what ?as_of= filters by).
-- "at" is the time a fact is counted by (its period); the scores are SQL aggregates over these tables.
CREATE SCHEMA IF NOT EXISTS assessment;

-- Every version of every unit (UnitRegistered): the directory as it stood at any time.
CREATE TABLE assessment.units (
    event_id             text PRIMARY KEY,
    unit_id              text        NOT NULL,
    name                 text        NOT NULL,
    level                text        NOT NULL,
    kind                 text        NOT NULL,
    parent_id            text,
    department_parent_id text,
    recorded_at          timestamptz NOT NULL
);
CREATE INDEX units_latest_idx ON assessment.units (unit_id, recorded_at DESC);

-- Items submitted (ItemSubmitted), counted by received_at; the item itself kept for documents.
CREATE TABLE assessment.submissions (
    item_id     text PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    unit_id     text        NOT NULL,
    kind        text        NOT NULL,
    policy      text        NOT NULL,
    request_id  text,
    item        jsonb       NOT NULL,
    at          timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX submissions_at_idx ON assessment.submissions (at) INCLUDE (unit_id, recorded_at);

-- Final sign-offs (ItemApproved with final = true): the item left its unit; counted by the event's time.
-- kind: the item's, from its submission (recorded before: both are keyed by the item, so in order); null
-- when the submission is unknown.
CREATE TABLE assessment.approvals (
    item_id     text PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    unit_id     text        NOT NULL,
    kind        text,
    at          timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX approvals_at_idx ON assessment.approvals (at) INCLUDE (unit_id, kind, recorded_at);

-- Adoptions into a publication (ItemAdopted): points for the writing unit, counted by adopted_at.
CREATE TABLE assessment.adoptions (
    adoption_id    text PRIMARY KEY,
    event_id       text        NOT NULL UNIQUE,
    item_id        text        NOT NULL,
    author_unit_id text        NOT NULL,
    unit_id        text        NOT NULL,
    publication    text        NOT NULL,
    issue          text        NOT NULL,
    level          text        NOT NULL,
    at             timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX adoptions_at_idx ON assessment.adoptions (at) INCLUDE (author_unit_id, recorded_at);
CREATE INDEX adoptions_issue_idx ON assessment.adoptions (publication, issue);

-- Leaders' instructions (InstructionGiven): bonus for the writing unit, counted by given_at.
CREATE TABLE assessment.instructions (
    instruction_id text PRIMARY KEY,
    event_id       text        NOT NULL UNIQUE,
    item_id        text        NOT NULL,
    author_unit_id text        NOT NULL,
    level          text        NOT NULL,
    at             timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX instructions_at_idx ON assessment.instructions (at) INCLUDE (author_unit_id, recorded_at);

-- Commissioned requests a unit missed (DeadlineBreached of kind request_missed), counted by the deadline.
CREATE TABLE assessment.missed_requests (
    breach_id   text PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    request_id  text,
    unit_id     text        NOT NULL,
    at          timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX missed_requests_at_idx ON assessment.missed_requests (at) INCLUDE (unit_id, recorded_at);

-- Quotas escalation found missed at a period's end (QuotaMissed).
CREATE TABLE assessment.quota_misses (
    quota_id    text PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    unit_id     text        NOT NULL,
    period      text        NOT NULL,
    quota       int         NOT NULL,
    counted     int         NOT NULL,
    kinds       text[],
    policy      text        NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX quota_misses_period_idx ON assessment.quota_misses (period);

GRANT USAGE ON SCHEMA assessment TO assessment_svc;
GRANT SELECT, INSERT ON assessment.units, assessment.submissions, assessment.approvals, assessment.adoptions,
    assessment.instructions, assessment.missed_requests, assessment.quota_misses TO assessment_svc;
