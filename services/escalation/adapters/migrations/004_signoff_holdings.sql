-- 责任倒查 and per-step reminders (docs/escalation.md): each report in each unit's sign-off chain (a holding),
-- every decision on it, the sign-off step clocks (kind 'step'), and who submitted each work item.
CREATE TABLE escalation.holdings (
    report_id   text        NOT NULL,
    unit_id     text        NOT NULL,
    incident_id text        NOT NULL,
    drafter     text,                 -- who submitted the report (the writing unit's holding only)
    chain       jsonb       NOT NULL, -- [{"stage", "roles", "hold_s"}]: the report's steps, from its pack and grade
    policy      text        NOT NULL,
    arrived_at  timestamptz NOT NULL,
    ended_at    timestamptz,          -- signed off (released), rejected or replaced by a corrected report
    ended_by    text,
    PRIMARY KEY (report_id, unit_id)
);
CREATE INDEX holdings_incident_idx ON escalation.holdings (incident_id, unit_id);

CREATE TABLE escalation.step_decisions (
    event_id    text PRIMARY KEY,
    report_id   text        NOT NULL,
    unit_id     text        NOT NULL,
    incident_id text        NOT NULL,
    subject     text        NOT NULL,
    role        text        NOT NULL,
    decision    text        NOT NULL CHECK (decision IN ('approve', 'reject')),
    step        int,
    stage       text,
    at          timestamptz NOT NULL
);
CREATE INDEX step_decisions_incident_idx ON escalation.step_decisions (incident_id, unit_id);

ALTER TABLE escalation.clocks DROP CONSTRAINT clocks_kind_check;
ALTER TABLE escalation.clocks ADD CONSTRAINT clocks_kind_check
    CHECK (kind IN ('late', 'missed', 'reminder', 'follow_up', 'step'));

ALTER TABLE escalation.items ADD COLUMN submitted_by text;
ALTER TABLE escalation.items ADD COLUMN steps_done int NOT NULL DEFAULT 0;

GRANT SELECT, INSERT, UPDATE ON escalation.holdings, escalation.step_decisions TO escalation_svc;
