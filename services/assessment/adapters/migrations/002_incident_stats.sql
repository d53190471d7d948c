-- The incident statistics' read models (/v1/stats/units, the months' totals, the monthly incident report),
-- filled from baosong.reports and baosong.breaches by the consumer assessment-incidents and counted by SQL
-- aggregates per unit and Shanghai month (definitions: shared/incident_stats/figures.py). Insert-only: a
-- redelivered event inserts nothing.

-- Incident reports submitted (ReportSubmitted), counted by received_at for the reporting unit.
CREATE TABLE assessment.incident_reports (
    report_id text PRIMARY KEY,
    event_id  text        NOT NULL UNIQUE,
    unit_id   text        NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX incident_reports_at_idx ON assessment.incident_reports (at) INCLUDE (unit_id);

-- Written-report obligations (obligation written_report in ReportSubmitted / IncidentRegraded): one per
-- incident and unit, the first one stated; counted by late_at.
CREATE TABLE assessment.written_duties (
    incident_id text NOT NULL,
    unit_id     text NOT NULL,
    event_id    text NOT NULL,
    to_unit_id  text,
    late_at     timestamptz,
    PRIMARY KEY (incident_id, unit_id)
);
CREATE INDEX written_duties_late_idx ON assessment.written_duties (late_at) INCLUDE (unit_id, to_unit_id);

-- A unit's reports forwarded (ReportForwarded), at the event's time: on time when one reached the
-- obligation's to_unit_id by late_at.
CREATE TABLE assessment.incident_forwards (
    event_id     text PRIMARY KEY,
    incident_id  text        NOT NULL,
    from_unit_id text        NOT NULL,
    to_unit_id   text        NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX incident_forwards_duty_idx ON assessment.incident_forwards (incident_id, from_unit_id, at)
    INCLUDE (to_unit_id);

-- Breaches of written-report obligations (DeadlineBreached of kind late or missed).
CREATE TABLE assessment.incident_breaches (
    breach_id   text PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    incident_id text        NOT NULL,
    unit_id     text        NOT NULL,
    kind        text        NOT NULL,
    deadline_at timestamptz NOT NULL
);
CREATE INDEX incident_breaches_duty_idx ON assessment.incident_breaches (incident_id, unit_id)
    INCLUDE (kind, deadline_at);
CREATE INDEX incident_breaches_deadline_idx ON assessment.incident_breaches (deadline_at)
    INCLUDE (incident_id, unit_id);

GRANT SELECT, INSERT ON assessment.incident_reports, assessment.written_duties, assessment.incident_forwards,
    assessment.incident_breaches TO assessment_svc;
